"""Case rules: idempotent submission, crypto-shredding, duplicates, probe signals, counters."""

import pytest
from django.test import Client
from django.utils import timezone

from safepassage.audit.log import verify
from safepassage.cases import (
    applicant_writers,
    casework,
    counts,
    probes,
    queues,
    retention,
    submission,
)
from safepassage.cases.models import BlindIndex, Case, Message, ProbeSignal
from safepassage.cases.states import State
from safepassage.programmes.roles import Role
from tests.conftest import audit_entries, enter, submit, text_of


def answers(**overrides):
    base = {
        "direction": "north of the river",
        "group": "alone",
        "group_size": "",
        "surname": "Orlov",
        "first_names": "Ivan",
        "rank": "",
        "date_of_birth": "1990-01-02",
        "service_number": "",
        "unit": "",
        "service_type": "",
        "equipment": "",
    }
    return {**base, **overrides}


def apply(world, token=None, **overrides):
    return submission.submit_application(
        world.programme,
        answers(**overrides),
        token=token or submission.new_submission_token(),
        language="ru",
        wants_to_apply=True,
    )


def test_the_same_form_twice_makes_one_case_and_shows_the_same_codename(world):
    token = submission.new_submission_token()
    first = apply(world, token)
    second = apply(world, token)
    assert first.created
    assert not second.created
    assert first.codename == second.codename
    assert Case.objects.count() == 1


def test_a_reference_drawn_twice_is_drawn_again_and_nothing_is_half_written(world, monkeypatch):
    first = apply(world)
    taken = Case.objects.get().reference
    draws = iter([taken, "ZZZZ-ZZZZ"])
    monkeypatch.setattr(submission, "new_reference", lambda: next(draws))
    second = apply(world)
    assert second.created
    assert second.codename != first.codename
    assert sorted(Case.objects.values_list("reference", flat=True)) == sorted([taken, "ZZZZ-ZZZZ"])
    session = applicant_writers.enter_with_codename(second.codename)
    assert session is not None
    assert session.case.reference == "ZZZZ-ZZZZ"
    assert verify() == []


def test_a_stale_receipt_no_longer_shows_the_codename(world):
    token = submission.new_submission_token()
    apply(world, token)
    Case.objects.update(receipt_expires="2000-01-01T00:00:00Z")
    again = apply(world, token)
    assert again.codename is None
    assert Case.objects.count() == 1


def test_crypto_shredding_makes_the_case_unreadable_but_keeps_counts_and_audit(world):
    receipt = apply(world)
    case = Case.objects.get()
    client = Client()
    assert enter(client, receipt.codename).status_code == 302
    retention.shred(case, actor="system")
    assert applicant_writers.enter_with_codename(receipt.codename) is None
    case.refresh_from_db()
    assert case.sealed_key is None
    assert bytes(case.dossier) == b""
    assert all(bytes(m.body) == b"" for m in Message.objects.filter(case=case))
    view = casework.open_case(
        case,
        user=world.staff[Role.VERIFIER],
        roles=frozenset({Role.VERIFIER}),
        keyring=world.keyring,
    )
    assert view.shredded
    assert view.identity is None
    assert queues.counters([world.programme.pk]).by_state["applied"] == 1
    assert verify() == []
    # The applicant's open session cannot read it either: it ends, as after idling.
    ended = client.get("/en/my/")
    assert ended.status_code == 302
    assert ended["Location"] == "/en/enter/"
    assert client.get("/en/my/")["Location"] == "/en/enter/"  # and stays ended


def test_duplicates_are_found_by_blind_index_only(world):
    apply(world, surname="Orlov", first_names="Ivan")
    apply(world, surname=" ORLOV ", first_names="ivan", direction="south")
    apply(world, surname="Petrov", first_names="Ivan")
    probes.index_pending(world.programme, world.keyring)
    first, second, third = Case.objects.order_by("pk")
    assert probes.duplicates_of(first) == [second]
    assert probes.duplicates_of(third) == []
    raised = audit_entries("case.probe_signal.identity_two_directions", case_ref=second.reference)
    assert raised == [("system", {})]
    assert not ProbeSignal.objects.filter(case=third).exists()


def test_a_latin_look_alike_does_not_escape_the_duplicate_detector(world, client, staff_client):
    """Issue #22, point 10: "AБ-123456" with a Latin A, or "Оrlov" with a Cyrillic О, is the
    same to a reader and was a different blind index. Applied through the form from two
    directions, the copy is flagged as the same person, and the verifier reads why."""
    submit(Client(), surname="Orlov", service_number="АБ-123456", direction="north")
    submit(Client(), surname="Оrlov", service_number="AБ-123456", direction="far south")
    submit(Client(), surname="Orlova", service_number="АБ-123457", direction="east")
    verifier = staff_client(Role.VERIFIER)
    verifier.get("/ru/staff/p/north/queue/")  # indexing runs in a staff session
    real, copy, other = Case.objects.order_by("pk")
    assert probes.duplicates_of(real) == [copy]
    assert probes.duplicates_of(other) == []
    signal = ProbeSignal.objects.get()
    assert (signal.case, signal.kind) == (copy, ProbeSignal.Kind.IDENTITY_IN_TWO_DIRECTIONS)
    page = verifier.get(f"/ru/staff/case/{copy.reference}/").content.decode()
    assert (
        f"Тот же человек подал заявку с другого направления — совпадает с {real.reference}"
        in text_of(page)
    )


def test_indexing_a_case_again_does_not_bring_back_a_cleared_signal(world):
    """A change of folding drops the indexes and indexes every case again
    (cases/migrations/0018): a signal the verifier cleared stays cleared."""
    apply(world, direction="north of the river")
    apply(world, direction="far south, by the quarry")
    probes.index_pending(world.programme, world.keyring)
    ProbeSignal.objects.update(cleared_at=timezone.now())
    BlindIndex.objects.all().delete()
    Case.objects.update(indexed_at=None)
    probes.index_pending(world.programme, world.keyring)
    assert ProbeSignal.objects.filter(cleared_at__isnull=True).count() == 0
    assert BlindIndex.objects.exists()


def test_same_identity_in_two_directions_flags_only_the_newer_case_and_says_why(world):
    apply(world, direction="north of the river")  # the real soldier
    apply(world, direction="far south, by the quarry")  # someone quoting his details
    probes.index_pending(world.programme, world.keyring)
    real, copy = Case.objects.order_by("pk")
    signal = ProbeSignal.objects.get()
    assert (signal.case, signal.kind) == (copy, ProbeSignal.Kind.IDENTITY_IN_TWO_DIRECTIONS)
    assert signal.like_cases == [real.reference]
    # Alone, it holds nobody's instructions back: a verifier decides.
    assert not probes.holds_instructions_back(copy)
    assert not probes.holds_instructions_back(real)


def test_the_verifier_reads_why_a_signal_was_raised(world, staff_client):
    apply(world, direction="north of the river")
    apply(world, direction="far south, by the quarry")
    verifier = staff_client(Role.VERIFIER)
    real, copy = Case.objects.order_by("pk")
    verifier.get("/en/staff/p/north/queue/")  # indexing runs in a staff session
    page = verifier.get(f"/en/staff/case/{copy.reference}/").content.decode()
    assert f"The same person applied from another direction — matches {real.reference}" in text_of(
        page
    )
    assert audit_entries("case.queue_read") == [
        (
            f"staff:{world.staff[Role.VERIFIER].pk}",
            {"groups": ["circumstances"], "cases": [real.reference, copy.reference]},
        )
    ]


def test_a_burst_of_near_identical_applications_flags_the_one_that_makes_it(world, settings):
    settings.PROBE_BURST_SIZE = 3
    for n in range(3):
        apply(world, surname=f"Name{n}", direction="By the  Old Mill!", unit="5th")
    apply(world, surname="Other", direction="somewhere else", unit="5th")
    probes.index_pending(world.programme, world.keyring)
    first, second, third, _other = Case.objects.order_by("pk")
    signal = ProbeSignal.objects.get()
    assert (signal.case, signal.kind) == (third, ProbeSignal.Kind.BURST)
    assert signal.like_cases == sorted([first.reference, second.reference])
    assert audit_entries("case.probe_signal.burst", case_ref=third.reference) == [("system", {})]
    assert len(audit_entries("case.probe_signal.burst")) == 1


def test_a_leaflet_drop_is_not_a_burst(world, settings):
    """Many applications from one area that give only the direction are what a leaflet drop
    brings: no signal."""
    settings.PROBE_BURST_SIZE = 3
    for n in range(5):
        apply(world, surname=f"Name{n}", direction="By the Old Mill")
    probes.index_pending(world.programme, world.keyring)
    assert not ProbeSignal.objects.exists()
    assert audit_entries("programme.created") == [("system", {})]


def test_two_applications_are_not_a_burst(world, settings):
    settings.PROBE_BURST_SIZE = 3
    for n in range(2):
        apply(world, surname=f"Name{n}", direction="By the old mill", unit="5th")
    probes.index_pending(world.programme, world.keyring)
    assert not ProbeSignal.objects.exists()


def test_an_application_is_never_counted_as_a_surrender(world):
    apply(world)
    apply(world)
    counters = queues.counters([world.programme.pk])
    assert counters.applications == 2
    assert counters.crossed == 0
    # Put straight into received, as a bulk load would, then counted again.
    Case.objects.filter(pk=Case.objects.earliest("pk").pk).update(state=State.RECEIVED)
    counts.recount(world.programme.pk)
    assert queues.counters([world.programme.pk]).crossed == 1
    assert queues.counters([world.programme.pk]).applications == 2


@pytest.mark.parametrize(("intent", "state"), [("apply", "applied"), ("ask", "inquiry")])
def test_intent_decides_the_first_state(world, client, intent, state):
    submit(client, intent=intent)
    assert Case.objects.get().state == state


def test_the_case_page_gives_every_element_an_id_of_its_own(world, staff_client):
    """Issue #27, point 15: the note and message forms both said id="id_text"."""
    import re
    from collections import Counter

    from django.test import Client

    from safepassage.programmes.roles import Role
    from tests.conftest import submit

    submit(Client())
    reference = world.programme.case_set.get().reference
    for role in (Role.INTAKE, Role.VERIFIER):
        html = staff_client(role).get(f"/ru/staff/case/{reference}/").content.decode()
        ids = Counter(re.findall(r'\sid="([^"]+)"', html))
        assert [i for i, n in ids.items() if n > 1] == [], role
        assert 'for="id_note_text"' in html
        assert 'for="id_message_text"' in html
