"""Every writer is one unit with its audit entry: when the audit write fails, nothing of the
change is left behind (issue #15, point 3). The audit append is made to fail, the writer is
called, and every table is compared row by row with what it held before."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.apps import apps
from django.utils import timezone

from safepassage.aftercare import consents, exchange_lists, rewards
from safepassage.audit import log
from safepassage.cases import applicant_writers, casework, retention, sign_ins
from safepassage.families import decisions, inquirers, letters, releases, tracing
from safepassage.families.models import Inquiry
from safepassage.passage import duress, notices, outcomes, planning, plans
from safepassage.passage.models import Crossing
from safepassage.programmes import invitations, team
from safepassage.programmes import sign_in as staff_sign_in
from safepassage.programmes.models import StaffSession
from safepassage.programmes.roles import Role
from safepassage.reception import services as reception
from tests.conftest import PASSWORD, audit_entries, submit
from tests.fixtures.crossings import notify, under_way, verified_case
from tests.fixtures.prisoners import received_case, register
from tests.passage.test_withdrawn_notice import withdrawn_after_acknowledgement

pytestmark = pytest.mark.django_db


def everything() -> dict[str, list[str]]:
    """Every row of every table, in order: what 'nothing changed' is compared against."""
    return {
        model._meta.label: sorted(repr(row) for row in model._default_manager.values_list())
        for model in apps.get_models()
    }


def a_lost_phone(world) -> int:
    """Another session of the intake officer's, on a phone he lost: its row's id."""
    team.remember_session(world.staff[Role.INTAKE], "a-lost-phone", "Firefox")
    return StaffSession.objects.get(session_key="a-lost-phone").pk


def staff_request(world, role):
    """A request in a signed-in staff member's own session, as his views pass it."""
    from django.test import RequestFactory

    from safepassage.vault.sessions import SessionStore

    request = RequestFactory().post("/")
    request.session = SessionStore()
    request.session.create()
    request.user = world.staff[role]
    return request


def staff(world, role):
    return {"user": world.staff[role], "keyring": world.keyring}


def verified(world, front, client):
    return verified_case(client)


def acknowledged(world, front, client):
    case = verified_case(client)
    crossing = notify(world, case, front.orchard)
    notices.acknowledge(
        crossing.pk, user=world.staff[Role.LIAISON], keys=world.unit_keys, now=timezone.now()
    )
    under_way(world, crossing)
    case.refresh_from_db()
    return case


def registered(world, front, client):
    case = received_case(world, front, client)
    register(world, case)
    case.refresh_from_db()
    return case


def asked_about(world, front, client):
    """A registered prisoner, indexed for tracing, and an inquiry about him: (inquiry, him)."""
    case = registered(world, front, client)
    inquirers.submit_inquiry(
        world.programme,
        {"relationship": "mother", "inquirer_name": "мама"},
        [{"surname": "Жуковская", "first_name": "Аркадий", "born": "1994"}],
        language="ru",
    )
    return Inquiry.objects.get().pk, case.prisoner.pk


def confirmed(world, front, client):
    """A tracing officer confirmed the inquiry's match: the match."""
    inquiry_id, prisoner_id = asked_about(world, front, client)
    return tracing.confirm_match(
        world.programme,
        inquiry_id,
        sought=1,
        prisoner_id=prisoner_id,
        user=world.staff[Role.TRACING],
        key=world.keyring["families"],
    )


def he_agreed(world, front, client):
    match = confirmed(world, front, client)
    decide(world, match)
    return match


def letters_allowed(world, front, client):
    match = confirmed(world, front, client)
    decide(world, match, "letters")
    return match


def a_card(world, front, client):
    match = letters_allowed(world, front, client)
    return write_card(world, match)


def write_card(world, match):
    return letters.write_to_inquirer(
        match.prisoner.case,
        match.pk,
        kind="card",
        text="Мама, я жив",
        **staff(world, Role.RECEPTION),
    )


def decide(world, match, kind="share"):
    return decisions.record_decision(
        match.prisoner.case,
        match.pk,
        kind=kind,
        language="ru",
        words="",
        **staff(world, Role.RECEPTION),
    )


def on_the_lists(world, front, client):
    """A registered prisoner who asked to be on the exchange lists."""
    case = registered(world, front, client)
    consents.record_consent(
        case, "on_exchange_lists", language="ru", **staff(world, Role.AFTERCARE)
    )
    return case


def forced_after_acknowledgement(world, front, client):
    """An acknowledged crossing whose applicant's duress codename was used (and read)."""
    from safepassage.cases.models import ProbeSignal

    case = acknowledged(world, front, client)
    ProbeSignal.objects.create(case=case, kind=ProbeSignal.Kind.DURESS)
    case.refresh_from_db()
    return case


def reset_waiting(world):
    """A password reset one admin made, and a second admin who may confirm it."""
    from safepassage.programmes.models import Invitation
    from safepassage.programmes.services import add_staff
    from tests.conftest import PASSWORD

    other = add_staff(world.programme, "north-admin-2", PASSWORD, [Role.ADMIN], keyring={})
    invitations.reset_link(
        world.programme,
        world.staff[Role.VERIFIER],
        Invitation.Purpose.PASSWORD,
        by=world.staff[Role.ADMIN],
    )
    return Invitation.objects.get(purpose=Invitation.Purpose.PASSWORD), other


def unit_key_waiting(world, front):
    """A liaison an admin listed on a unit, who has no grant of its key yet."""
    from safepassage.programmes.services import add_staff
    from tests.conftest import PASSWORD

    user = add_staff(world.programme, "north-liaison-9", PASSWORD, [Role.LIAISON], keyring={})
    front.orchard.receiving_unit.liaisons.add(user)
    return user


def data_key(world, case):
    from safepassage.cases.dossier import case_key

    return case_key(case, world.keyring, "messages")


# (name, how the case is prepared, the writer under test)
WRITERS = [
    (
        "applicant reply",
        verified,
        lambda w, f, c: applicant_writers.applicant_reply(c, data_key(w, c), "Still here"),
    ),
    (
        "duress codename",
        verified,
        lambda w, f, c: applicant_writers.create_duress_codename(
            c,
            "ru",
            keep=bytes(c.codenames.get().lookup_hash),
            own_key=data_key(w, c),
            duress=False,
            decoy={},
        ),
    ),
    (
        "codename sign-in",
        lambda w, f, c: submit(c),
        lambda w, f, codename: applicant_writers.enter_with_codename(codename),
    ),
    (
        "sign-ins read by a key holder",
        lambda w, f, c: applicant_writers.enter_with_codename(submit(c)),
        lambda w, f, session: sign_ins.read_new(
            w.programme, w.keyring, user=w.staff[Role.VERIFIER]
        ),
    ),
    (
        "crossing kept after a duress sign-in",
        lambda w, f, c: forced_after_acknowledgement(w, f, c),
        lambda w, f, case: duress.keep_crossing(
            case, user=w.staff[Role.COORDINATOR], reason="He called from a safe phone"
        ),
    ),
    (
        "crossing called off after a duress sign-in",
        lambda w, f, c: forced_after_acknowledgement(w, f, c),
        lambda w, f, case: duress.call_off_crossing(case, user=w.staff[Role.COORDINATOR]),
    ),
    (
        "staff message",
        verified,
        lambda w, f, c: casework.staff_message(c, text="Wait", **staff(w, Role.VERIFIER)),
    ),
    ("note", verified, lambda w, f, c: casework.add_note(c, user=w.staff[Role.VERIFIER], text="x")),
    (
        "probe flag",
        verified,
        lambda w, f, c: casework.set_probe_flag(c, user=w.staff[Role.VERIFIER], flagged=True),
    ),
    (
        "staff transition with its reason",
        verified,
        lambda w, f, c: casework.staff_transition(
            c,
            "reject",
            user=w.staff[Role.VERIFIER],
            roles=frozenset({Role.VERIFIER}),
            keyring=w.keyring,
            reason="Known probe",
        ),
    ),
    ("shredding", verified, lambda w, f, c: retention.shred(c, actor=log.SYSTEM)),
    ("hold-fire notice", verified, lambda w, f, c: notify(w, c, f.orchard)),
    (
        "planning constraints",
        verified,
        lambda w, f, c: planning.set_constraints(
            c, planning.Constraints(sector_ids=(f.orchard.pk,)), **staff(w, Role.COORDINATOR)
        ),
    ),
    (
        "acknowledgement",
        lambda w, f, c: notify(w, verified_case(c), f.orchard),
        lambda w, f, crossing: notices.acknowledge(
            crossing.pk, user=w.staff[Role.LIAISON], keys=w.unit_keys, now=timezone.now()
        ),
    ),
    (
        "withdrawal passed on",
        lambda w, f, c: withdrawn_after_acknowledgement(w, f, c),
        lambda w, f, crossing: notices.confirm_withdrawal_seen(
            crossing.pk, user=w.staff[Role.LIAISON], keys=w.unit_keys, now=timezone.now()
        ),
    ),
    (
        "password reset confirmed by a second admin",
        lambda w, f, c: reset_waiting(w),
        lambda w, f, pair: invitations.confirm_reset(w.programme, pair[0].pk, by=pair[1]),
    ),
    (
        "unit key granted",
        lambda w, f, c: unit_key_waiting(w, f),
        lambda w, f, user: plans.grant_unit_key(
            w.programme.pk,
            f.orchard.receiving_unit.pk,
            user.pk,
            by=w.staff[Role.COORDINATOR],
            keyring=w.keyring,
        ),
    ),
    (
        "unit key renewed",
        lambda w, f, c: notify(w, verified_case(c), f.orchard).unit,
        lambda w, f, unit: plans.renew_unit_key(unit, w.keyring, by=w.staff[Role.COORDINATOR]),
    ),
    (
        "decline",
        lambda w, f, c: notify(w, verified_case(c), f.orchard),
        lambda w, f, crossing: notices.decline(
            crossing.pk,
            user=w.staff[Role.LIAISON],
            keys=w.unit_keys,
            reason="No",
            now=timezone.now(),
        ),
    ),
    (
        "arrival",
        acknowledged,
        lambda w, f, c: outcomes.record_outcome(
            c,
            "arrived",
            user=w.staff[Role.COORDINATOR],
            keys=w.keys,
            roles=frozenset({Role.COORDINATOR}),
            now=timezone.now(),
        ),
    ),
    (
        "killed, with its reason",
        acknowledged,
        lambda w, f, c: outcomes.record_outcome(
            c,
            "killed",
            user=w.staff[Role.COORDINATOR],
            keys=w.keys,
            roles=frozenset({Role.COORDINATOR}),
            now=timezone.now(),
            reason="Seen by the drone",
        ),
    ),
    ("registration", lambda w, f, c: received_case(w, f, c), lambda w, f, c: register(w, c)),
    (
        "custody event",
        registered,
        lambda w, f, c: reception.add_event(
            c,
            kind="transfer",
            occurred_on=reception.local_day(timezone.now()),
            place="Camp 3",
            details="",
            **staff(w, Role.RECEPTION),
        ),
    ),
    (
        "capture card sent",
        registered,
        lambda w, f, c: reception.mark_card_sent(c, user=w.staff[Role.RECEPTION]),
    ),
    (
        "pathway consent",
        registered,
        lambda w, f, c: consents.record_consent(
            c, "exchange", language="ru", **staff(w, Role.AFTERCARE)
        ),
    ),
    (
        "exchange closes the list choice",
        on_the_lists,
        lambda w, f, c: reception.add_event(
            c,
            kind="exchange",
            occurred_on=reception.local_day(timezone.now()),
            place="",
            details="",
            **staff(w, Role.RECEPTION),
        ),
    ),
    (
        "exchange list",
        on_the_lists,
        lambda w, f, c: exchange_lists.exchange_list(
            w.programme, only_new=True, fmt="csv", **staff(w, Role.RECEPTION)
        ),
    ),
    (
        "relative's inquiry",
        lambda w, f, c: None,
        lambda w, f, _: inquirers.submit_inquiry(
            w.programme,
            {"relationship": "mother", "inquirer_name": "мама"},
            [{"surname": "Иванов", "first_name": "Сергей"}],
            language="ru",
        ),
    ),
    (
        "inquiries read",
        lambda w, f, c: inquirers.submit_inquiry(
            w.programme,
            {"relationship": "mother", "inquirer_name": "мама"},
            [{"surname": "Иванов", "first_name": "Сергей"}],
            language="ru",
        ),
        lambda w, f, _: tracing.latest_inquiries(
            w.programme, user=w.staff[Role.TRACING], key=w.keyring["families"]
        ),
    ),
    (
        "an inquiry's candidates viewed",
        asked_about,
        lambda w, f, asked: tracing.inquiry_with_candidates(
            w.programme, asked[0], user=w.staff[Role.TRACING], key=w.keyring["families"]
        ),
    ),
    (
        "match confirmed",
        asked_about,
        lambda w, f, asked: tracing.confirm_match(
            w.programme,
            asked[0],
            sought=1,
            prisoner_id=asked[1],
            user=w.staff[Role.TRACING],
            key=w.keyring["families"],
        ),
    ),
    (
        "who asked read by his officer",
        confirmed,
        lambda w, f, match: decisions.relatives_asking(
            match.prisoner.case, **staff(w, Role.RECEPTION)
        ),
    ),
    ("his decision recorded", confirmed, lambda w, f, match: decide(w, match)),
    (
        "answers released",
        he_agreed,
        lambda w, f, _: releases.release_answers(timezone.now() + timedelta(days=4)),
    ),
    ("his card written", letters_allowed, lambda w, f, match: write_card(w, match)),
    (
        "his card reviewed",
        a_card,
        lambda w, f, card: letters.review(
            card.match.prisoner.case,
            card.pk,
            passed=True,
            reason="",
            **staff(w, Role.AFTERCARE),
        ),
    ),
    (
        "inquiries past retention deleted",
        lambda w, f, c: inquirers.submit_inquiry(
            w.programme,
            {"relationship": "mother", "inquirer_name": "мама"},
            [{"surname": "Иванов", "first_name": "Сергей"}],
            language="ru",
        ),
        lambda w, f, _: releases.shred_expired_inquiries(timezone.now() + timedelta(days=400)),
    ),
    (
        "own session ended",
        lambda w, f, c: a_lost_phone(w),
        lambda w, f, pk: staff_sign_in.end_own_session(w.staff[Role.INTAKE], pk),
    ),
    (
        "password changed",
        lambda w, f, c: staff_request(w, Role.INTAKE),
        lambda w, f, request: staff_sign_in.change_password(
            request, request.user, PASSWORD, "a-new-long-passphrase-42"
        ),
    ),
    (
        "second factor refused",
        lambda w, f, c: w.staff[Role.INTAKE],
        lambda w, f, user: staff_sign_in.code_refused(user),
    ),
    (
        "reward rate",
        verified,
        lambda w, f, c: rewards.set_rate(
            w.programme, "tank", Decimal(5), "USD", user=w.staff[Role.ADMIN]
        ),
    ),
]


each_writer = pytest.mark.parametrize(
    ("prepare", "writer"), [w[1:] for w in WRITERS], ids=[w[0] for w in WRITERS]
)


@each_writer
def test_a_failed_audit_write_leaves_nothing_of_the_change(
    world, front, client, monkeypatch, prepare, writer
):
    subject = prepare(world, front, client)
    before = everything()

    def disk_full(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(log, "_append", disk_full)  # every audit entry goes through it
    with pytest.raises(RuntimeError, match="disk full"):
        writer(world, front, subject)
    after = everything()
    changed = [table for table in before if before[table] != after[table]]
    assert changed == []


def test_the_check_would_see_a_change(world):
    """The comparison is not blind: a row written outside any writer shows up."""
    from safepassage.programmes.models import Programme

    before = everything()
    assert everything() == before
    Programme.objects.update(name="Renamed")
    assert everything() != before


@each_writer
def test_the_writer_really_writes_when_the_audit_works(world, front, client, prepare, writer):
    """Without the injected failure each writer changes something: the test above does not
    pass because a writer refused for another reason first."""
    subject = prepare(world, front, client)
    before = everything()
    writer(world, front, subject)
    assert everything() != before


def test_two_writers_only_this_table_calls_say_exactly_what_they_did(world, front, client):
    """The coordinator's decision to keep a crossing after a duress sign-in, and a case's
    planning constraints: one entry each, by him, naming what he acted on."""
    case = forced_after_acknowledgement(world, front, client)
    crossing = Crossing.objects.get(case=case)
    coordinator = world.staff[Role.COORDINATOR]
    duress.keep_crossing(case, user=coordinator, reason="He called from a safe phone")
    assert audit_entries("passage.kept_after_duress", case_ref=case.reference) == [
        (f"staff:{coordinator.pk}", {"crossing": crossing.pk})
    ]
    other = verified_case(client)
    constraints = planning.Constraints(sector_ids=(front.orchard.pk,))
    planning.set_constraints(other, constraints, **staff(world, Role.COORDINATOR))
    assert audit_entries("passage.constraints_set", case_ref=other.reference) == [
        (f"staff:{coordinator.pk}", {})
    ]
