"""Staff sign-in, two factors, throttling, and the role matrix: who can open what."""

import re
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from safepassage.audit.models import AuditEvent
from safepassage.cases import casework, retention
from safepassage.cases.models import Case, Note
from safepassage.cases.states import State
from safepassage.programmes.roles import CASE_ROLES, FILTERS, OPENS, Role
from tests.conftest import (
    PASSWORD,
    audit_entries,
    enter,
    make_world,
    refusal,
    sign_in,
    submit,
    text_of,
)


def test_a_password_alone_opens_nothing(world):
    client = Client()
    client.post("/en/staff/login/", {"username": "north-verifier", "password": PASSWORD})
    assert client.get("/en/staff/")["Location"].startswith("/en/staff/login/")


def test_a_wrong_second_factor_is_refused_and_audited(world):
    client = Client()
    client.post("/en/staff/login/", {"username": "north-verifier", "password": PASSWORD})
    response = client.post("/en/staff/second-factor/", {"token": "000000"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Wrong code. Wait 1 second, then type the code your app shows then." in html
    devices = TOTPDevice.objects.filter(user__username="north-verifier")

    def after_the_pause():
        devices.update(throttling_failure_timestamp=timezone.now() - timedelta(minutes=1))

    after_the_pause()
    again = client.post("/en/staff/second-factor/", {"token": "000001"}).content.decode()
    assert "Wrong code. Wait 2 seconds," in again  # django-otp doubles the pause
    after_the_pause()
    russian = client.post("/ru/staff/second-factor/", {"token": "000002"}).content.decode()
    assert "Неверный код. Подождите 4 секунды" in russian
    assert AuditEvent.objects.filter(action="staff.second_factor_failed").count() == 3
    assert client.get("/en/staff/").status_code == 302


def test_a_password_sign_in_never_enrols_a_second_factor(db):
    """Whoever first holds a new account's password must not choose its second factor: an
    account without one gets a clear page, and enrols only through an enrolment link."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from safepassage.programmes.services import add_staff, create_programme

    programme, key = create_programme("e", "E")
    user = add_staff(programme, "newcomer", PASSWORD, [Role.INTAKE], keyring=key)
    client = Client()
    client.post("/en/staff/login/", {"username": "newcomer", "password": PASSWORD})
    page = client.get("/en/staff/second-factor/")
    assert page.status_code == 403
    assert "Ask your programme admin for an enrolment link" in text_of(page.content.decode())
    assert 'src="data:image/svg+xml' not in page.content.decode()
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert client.get("/en/staff/").status_code == 302  # signed out again
    assert audit_entries("staff.added") == [("system", {"staff": user.pk, "roles": ["intake"]})]


def test_wrong_passwords_make_the_next_try_wait_longer_and_the_right_one_then_gets_in(world):
    from safepassage.programmes.models import FailedSignIns

    client = Client()
    username = "north-verifier"
    for _ in range(3):  # three are free
        page = client.post("/en/staff/login/", {"username": username, "password": "wrong"})
        assert page.status_code == 400
    client.post("/en/staff/login/", {"username": username, "password": "wrong"})
    waiting = client.post("/en/staff/login/", {"username": username, "password": PASSWORD})
    assert waiting.status_code == 429
    assert waiting["Retry-After"] == "2"
    assert "Wait 2 seconds, then try again" in text_of(waiting.content.decode(), "wait")
    russian = client.post("/ru/staff/login/", {"username": username, "password": PASSWORD})
    assert "Подождите 2 секунды" in text_of(russian.content.decode(), "wait")
    # The wait is over: the right password and the second factor get in.
    FailedSignIns.objects.update(not_before=timezone.now() - timedelta(seconds=1))
    sign_in(client, world.staff[Role.VERIFIER])
    assert client.get("/en/staff/").status_code == 200


def test_the_unlocked_programme_key_is_never_in_the_session_store(world):
    sign_in(Client(), world.staff[Role.VERIFIER])
    stored = b"".join(s.session_data.encode() for s in Session.objects.all())
    import base64

    for key in world.keyring.values():
        assert key not in stored
        assert base64.b64encode(key) not in stored
        assert key.hex().encode() not in stored


def test_a_session_row_cannot_be_replayed_as_a_cookie(world):
    client = sign_in(Client(), world.staff[Role.VERIFIER])
    row_key = Session.objects.get().session_key
    thief = Client()
    thief.cookies["sp"] = row_key
    assert thief.get("/en/staff/").status_code == 302
    assert client.get("/en/staff/").status_code == 200


STAFF_PAGES = [
    ("queue", "/en/staff/p/{slug}/queue/"),
    ("case", "/en/staff/case/{ref}/"),
    ("audit", "/en/staff/p/{slug}/audit/"),
]
EXPECTED = {
    "queue": CASE_ROLES,
    "case": {role for role, states in OPENS.items() if "applied" in states},
    "audit": {Role.ADMIN},
}


@pytest.fixture
def applied_case(world, client):
    submit(client, surname="Zhukovsky")
    return Case.objects.get()


@pytest.mark.parametrize(("page", "pattern"), STAFF_PAGES)
@pytest.mark.parametrize("role", list(Role))
def test_role_matrix(world, applied_case, staff_client, role, page, pattern):
    client = staff_client(role)
    url = pattern.format(slug=world.programme.slug, ref=applied_case.reference)
    response = client.get(url)
    expected = 200 if role in EXPECTED[page] else 404
    assert response.status_code == expected, (role, page)
    assert client.get("/en/staff/").status_code == 200


@pytest.mark.parametrize("state", [s.value for s in State])
@pytest.mark.parametrize("role", list(Role))
def test_each_role_opens_a_case_only_in_the_states_where_it_works(
    world, applied_case, staff_client, role, state
):
    Case.objects.filter(pk=applied_case.pk).update(state=state)
    client = staff_client(role)
    page = client.get(f"/en/staff/case/{applied_case.reference}/")
    opens = state in OPENS.get(role, ())
    assert page.status_code == (200 if opens and role in CASE_ROLES else 404), (role, state)
    note = client.post(f"/en/staff/case/{applied_case.reference}/note/", {"text": "seen"})
    assert (note.status_code == 302) == (opens and role in CASE_ROLES), (role, state)
    assert Note.objects.exists() == (opens and role in CASE_ROLES)


@pytest.mark.parametrize("role", list(Role))
def test_only_verifier_reception_and_aftercare_read_identity(
    world, applied_case, staff_client, role
):
    # Each role looks at the case in a state it works in (none, for liaison and admin).
    works_in = OPENS.get(role, ("applied",))[0]
    Case.objects.filter(pk=applied_case.pk).update(state=works_in)
    html = staff_client(role).get(f"/en/staff/case/{applied_case.reference}/").content.decode()
    reads_identity = role in {Role.VERIFIER, Role.RECEPTION, Role.AFTERCARE}
    assert ("Zhukovsky" in html) == reads_identity
    if role in {Role.LIAISON, Role.ADMIN}:
        assert "Zhukovsky" not in html
        assert "Rabotino" not in html


def test_every_queue_and_filter_state_is_one_the_role_may_open():
    for role, states in FILTERS.items():
        assert set(states) <= set(OPENS[role]), role


def test_a_liaison_holds_no_key_at_all(world):
    from safepassage.programmes.models import KeyGrant

    assert not KeyGrant.objects.filter(user=world.staff[Role.LIAISON]).exists()


def test_every_decrypted_read_is_audited_with_its_groups(world, applied_case, staff_client):
    Case.objects.filter(pk=applied_case.pk).update(state="verified")
    staff_client(Role.COORDINATOR).get(f"/en/staff/case/{applied_case.reference}/")
    event = AuditEvent.objects.filter(action="case.read").get()
    assert event.detail["groups"] == ["circumstances", "messages", "notes"]
    assert event.actor == f"staff:{world.staff[Role.COORDINATOR].pk}"


def test_staff_of_one_programme_cannot_open_another_programmes_case(world, client, staff_client):
    other = make_world("south", "South")
    submit(client, slug="south")
    case = Case.objects.get(programme=other.programme)
    verifier = staff_client(Role.VERIFIER)
    assert verifier.get(f"/en/staff/case/{case.reference}/").status_code == 404
    assert verifier.get("/en/staff/p/south/queue/").status_code == 404
    own = sign_in(Client(), other.staff[Role.VERIFIER])
    assert own.get(f"/en/staff/case/{case.reference}/").status_code == 200


def test_a_verifier_moves_a_case_only_through_the_table(world, applied_case, staff_client):
    verifier = staff_client(Role.VERIFIER)
    url = f"/en/staff/case/{applied_case.reference}/action/"
    assert verifier.post(url, {"action": "start_verification"}).status_code == 302
    refused = verifier.post(url, {"action": "close"})
    assert "not possible" in refusal(verifier, refused)
    verifier.post(f"/en/staff/case/{applied_case.reference}/probe/", {"flagged": "1"})
    blocked = verifier.post(url, {"action": "verify"})
    assert "probe" in refusal(verifier, blocked)
    applied_case.refresh_from_db()
    assert applied_case.state == "verifying"


def test_intake_writes_a_message_and_a_note(world, applied_case, staff_client):
    intake = staff_client(Role.INTAKE)
    base = f"/en/staff/case/{applied_case.reference}/"
    intake.post(base + "message/", {"text": "We read you."})
    intake.post(base + "note/", {"text": "Sounds sincere."})
    html = intake.get(base).content.decode()
    assert "We read you." in html
    assert "Sounds sincere." in html
    by_intake: list[tuple[str, dict[str, object]]] = [(f"staff:{world.staff[Role.INTAKE].pk}", {})]
    assert audit_entries("message.to_applicant", case_ref=applied_case.reference) == by_intake
    assert audit_entries("case.note_added", case_ref=applied_case.reference) == by_intake


def test_a_liaison_cannot_message_or_act(world, applied_case, staff_client):
    liaison = staff_client(Role.LIAISON)
    base = f"/en/staff/case/{applied_case.reference}/"
    assert liaison.post(base + "message/", {"text": "hi"}).status_code == 404
    assert liaison.post(base + "action/", {"action": "reject"}).status_code == 404


def test_the_home_page_counts_applications_apart_from_surrenders(world, applied_case, staff_client):
    html = staff_client(Role.INTAKE).get("/en/staff/").content.decode()
    assert 'id="count-applications">1<' in html
    assert 'id="count-crossed">0<' in html


def test_the_queue_indexes_new_cases_and_shows_duplicates(world, client, staff_client):
    submit(client, surname="Same", first_names="Person", direction="north")
    submit(client, surname="Same", first_names="Person", direction="north")
    verifier = staff_client(Role.VERIFIER)
    assert verifier.get("/en/staff/p/north/queue/").status_code == 200
    first, second = Case.objects.order_by("pk")
    html = verifier.get(f"/en/staff/case/{first.reference}/").content.decode()
    assert second.reference in html
    assert "Possible duplicates" in html


def test_the_queue_orders_counts_and_finds_cases(world, client, staff_client, settings):
    settings.PROBE_BURST_SIZE = 10  # three alike applications are not a burst here
    for n in range(3):
        submit(client, surname=f"Name{n}")
    quiet, waiting, flagged = Case.objects.order_by("pk")
    Case.objects.update(awaiting_reply=False)
    Case.objects.filter(pk=waiting.pk).update(awaiting_reply=True)
    casework.set_probe_flag(flagged, user=world.staff[Role.VERIFIER], flagged=True)
    verifier = staff_client(Role.VERIFIER)
    html = verifier.get("/en/staff/p/north/queue/").content.decode()
    queue = text_of(html, "queue")
    positions = [queue.index(case.reference) for case in (quiet, waiting, flagged)]
    # First come, first served: a message or a signal buys no place (the attention list
    # above shows them).
    assert positions == sorted(positions)
    assert text_of(html, f"case-{flagged.reference}").endswith("Probe signal raised")
    assert text_of(html, f"case-{waiting.reference}").endswith("New message from the applicant")
    assert "Probe" not in text_of(html, f"case-{quiet.reference}")  # nothing to flag
    needing = text_of(html, "attention")
    assert f"{flagged.reference} — Probe signal raised" in needing
    assert f"{waiting.reference} — New message from the applicant" in needing
    assert quiet.reference not in needing
    found = verifier.get(f"/en/staff/p/north/queue/?q=+{quiet.reference.lower()}+")
    queue = text_of(found.content.decode(), "queue")
    assert quiet.reference in queue
    assert waiting.reference not in queue
    assert audit_entries("case.probe_flag_raised") == [
        (f"staff:{world.staff[Role.VERIFIER].pk}", {})
    ]


def test_admin_browses_and_verifies_the_audit_log(world, applied_case, staff_client):
    admin = staff_client(Role.ADMIN)
    html = admin.get("/en/staff/p/north/audit/?verify=1").content.decode()
    assert "The audit chain is intact." in html
    log = text_of(html, "audit-log")
    assert "the applicant Apply" in log
    assert "from: Inquiry; to: Applied; reason given: no" in log
    assert not re.search(r"\b[a-z]+_[a-z_]+\b", log)  # no raw code reaches the admin
    russian = admin.get("/ru/staff/p/north/audit/").content.decode()
    assert "заявитель" in text_of(russian, "audit-log")


def test_shredded_case_shows_nothing(world, applied_case, staff_client):
    retention.shred(applied_case, actor="system")
    html = (
        staff_client(Role.VERIFIER)
        .get(f"/en/staff/case/{applied_case.reference}/")
        .content.decode()
    )
    assert "destroyed" in html
    assert "Zhukovsky" not in html
    by_verifier: list[tuple[str, dict[str, object]]] = [
        (f"staff:{world.staff[Role.VERIFIER].pk}", {})
    ]
    assert audit_entries("staff.password_accepted") == by_verifier
    assert audit_entries("staff.signed_in") == by_verifier


def test_a_message_posted_to_a_shredded_case_is_refused_not_a_500(
    world, applied_case, staff_client
):
    intake = staff_client(Role.INTAKE)
    retention.shred(applied_case, actor="system")
    response = intake.post(f"/en/staff/case/{applied_case.reference}/message/", {"text": "hi"})
    assert "destroyed" in refusal(intake, response)


def test_staff_see_who_wrote_a_reply_and_the_applicant_does_not(world, client, staff_client):
    codename = submit(client)
    case = Case.objects.get()
    intake = staff_client(Role.INTAKE)
    intake.post(f"/en/staff/case/{case.reference}/message/", {"text": "We read you"})
    staff_view = text_of(
        intake.get(f"/en/staff/case/{case.reference}/").content.decode(), "messages"
    )
    assert "From us (north-intake) · " in staff_view
    applicant = Client()
    enter(applicant, codename)
    mine = text_of(applicant.get("/en/my/").content.decode(), "messages")
    assert "We read you" in mine
    assert "north-intake" not in mine


def test_reading_directions_in_the_queue_is_audited_once_per_page(world, client, staff_client):
    for n in range(3):
        submit(client, surname=f"Name{n}")
    staff_client(Role.VERIFIER).get("/en/staff/p/north/queue/")
    entries = AuditEvent.objects.filter(action="case.queue_read")
    assert entries.count() == 1
    assert entries.get().detail == {
        "groups": ["circumstances"],
        "cases": list(
            Case.objects.order_by("-awaiting_reply", "-probe_flagged", "updated_at").values_list(
                "reference", flat=True
            )
        ),
    }


def test_junk_with_messages_does_not_bury_the_real_cases(world, client, staff_client):
    submit(client, surname="Real", message="")
    Case.objects.update(awaiting_reply=False)
    for n in range(5):
        submit(Client(), surname=f"Junk{n}", message="read me first")
    html = staff_client(Role.VERIFIER).get("/en/staff/p/north/queue/").content.decode()
    real = Case.objects.earliest("pk")
    queue = text_of(html, "queue")
    assert queue.index(real.reference) < min(
        queue.index(junk.reference) for junk in Case.objects.exclude(pk=real.pk)
    )


def test_a_flood_of_new_applications_never_stalls_the_queue(world, staff_client, settings):
    settings.PROBE_INDEX_PER_PAGE = 2
    for n in range(5):
        submit(Client(), surname=f"Flood{n}")
    verifier = staff_client(Role.VERIFIER)
    html = verifier.get("/en/staff/p/north/queue/").content.decode()
    assert text_of(html, "not-yet-checked").startswith("3 new applications are still to be")
    verifier.get("/en/staff/p/north/queue/")
    html = verifier.get("/en/staff/p/north/queue/").content.decode()
    assert 'id="not-yet-checked"' not in html


def test_adding_staff_refuses_a_weak_password_and_never_changes_an_existing_one(world):
    from django.contrib.auth.models import User

    from safepassage.programmes.models import KeyGrant
    from safepassage.programmes.services import StaffRefused, add_staff
    from safepassage.programmes.staff_keys import own_private_key
    from safepassage.vault.crypto import unseal

    def opened_by_his_password(user):
        private = own_private_key(user, PASSWORD)
        return {
            grant.programme_id
            for grant in KeyGrant.objects.filter(user=user)
            if grant.sealed_private_key and unseal(private, grant.sealed_private_key)
        }

    with pytest.raises(StaffRefused, match="too short"):
        add_staff(world.programme, "newcomer", "a", [Role.INTAKE], keyring=world.keyring)
    assert not User.objects.filter(username="newcomer").exists()
    other = make_world("south", "South")
    verifier = world.staff[Role.VERIFIER]
    with pytest.raises(StaffRefused, match="already exists with another password"):
        add_staff(
            other.programme,
            verifier.username,
            "a different long passphrase",
            [Role.VERIFIER],
            keyring=other.keyring,
        )
    # His own password still opens his first programme's key: nothing was lost.
    verifier.refresh_from_db()
    assert verifier.check_password(PASSWORD)
    assert opened_by_his_password(verifier) == {world.programme.pk}
    add_staff(other.programme, verifier.username, PASSWORD, [Role.VERIFIER], keyring=other.keyring)
    assert opened_by_his_password(verifier) == {world.programme.pk, other.programme.pk}


def test_signing_out_ends_the_session_and_is_audited(world, staff_client):
    """`logout/` (issue #23, point 1): the entry, the session's row on his sessions page and
    the session itself go together; the next page asks him to sign in."""
    from safepassage.programmes.models import StaffSession
    from tests.conftest import audit_entries

    verifier = staff_client(Role.VERIFIER)
    user = world.staff[Role.VERIFIER]
    assert StaffSession.objects.filter(user=user).count() == 1
    out = verifier.post("/en/staff/logout/")
    assert out.status_code == 302
    assert out["Location"] == "/en/staff/login/"
    assert StaffSession.objects.filter(user=user).count() == 0
    assert audit_entries("staff.signed_out") == [(f"staff:{user.pk}", {})]
    assert verifier.get("/en/staff/")["Location"].startswith("/en/staff/login/")
    assert verifier.get("/en/staff/logout/").status_code == 405  # a link cannot sign him out
