"""What needs attention reaches the roles that act on it, on the staff home and the queue,
and stays until someone acts; every staff page has the navigation bar."""

import pytest
from django.test import Client
from django.utils import timezone

from safepassage.passage import notices
from safepassage.programmes.roles import Role
from tests.conftest import audit_entries, enter, found, submit, text_of
from tests.fixtures.crossings import notify, verified_with_codename

pytestmark = pytest.mark.django_db


def attention(client: Client) -> str:
    html = client.get("/en/staff/").content.decode()
    return text_of(html, "attention") if 'id="attention"' in html else ""


def test_a_duress_sign_in_reaches_verifiers_and_intake_until_cleared(world, staff_client):
    applicant = Client()
    codename = submit(applicant)
    enter(applicant, codename)
    page = applicant.post("/en/my/duress/").content.decode()
    duress = found(r'id="duress-codename">([^<]+)<', page)
    enter(Client(), duress)
    reference = world.programme.case_set.get().reference

    verifier, intake = staff_client(Role.VERIFIER), staff_client(Role.INTAKE)
    coordinator = staff_client(Role.COORDINATOR)
    assert f"{reference} — The duress codename was used" in attention(verifier)
    assert f"{reference} — The duress codename was used" in attention(intake)
    assert "duress codename" not in attention(coordinator)
    # The sign-in changed nothing else: the case stays where it was, at the top of the queue,
    # for a verifier to decide.
    queue = verifier.get("/en/staff/p/north/queue/").content.decode()
    assert reference in text_of(queue, "attention")
    assert reference in text_of(queue, "queue")
    assert world.programme.case_set.get().state == "applied"
    verifier.post(f"/en/staff/case/{reference}/probe/", {"flagged": "0"})
    assert "duress" not in attention(verifier)
    assert audit_entries("case.probe_signals_cleared", case_ref=reference) == [
        (f"staff:{world.staff[Role.VERIFIER].pk}", {})
    ]


def test_a_decline_and_a_request_for_another_time_reach_the_coordinator(
    world,
    front,
    staff_client,
):
    declined, _ = verified_with_codename(Client())
    crossing = notify(world, declined, front.orchard)
    notices.decline(
        crossing.pk,
        user=world.staff[Role.LIAISON],
        keys=world.unit_keys,
        reason="Shelling",
        now=timezone.now(),
    )
    other, codename = verified_with_codename(Client())
    crossing = notify(world, other, front.quarry)
    notices.acknowledge(
        crossing.pk, user=front.other_liaison, keys=world.unit_keys, now=timezone.now()
    )
    applicant = Client()
    enter(applicant, codename)
    applicant.post("/en/my/another-time/")

    coordinator = staff_client(Role.COORDINATOR)
    needing = attention(coordinator)
    assert f"{declined.reference} — The receiving unit declined the notice" in needing
    assert f"{other.reference} — The applicant asked for another time" in needing
    assert "declined the notice" not in attention(staff_client(Role.INTAKE))
    notify(world, declined, front.quarry)  # the coordinator plans again: acted on
    assert "declined the notice" not in attention(coordinator)


def test_every_staff_page_has_the_navigation_and_a_staff_404(world, staff_client):
    coordinator = staff_client(Role.COORDINATOR)
    nav = text_of(coordinator.get("/en/staff/").content.decode(), "staff-nav")
    assert nav == (
        "Overview North: Queue Inbox Planner north-coordinator Change password Your sessions Help"
        " Sign out"
    )
    missing = coordinator.get("/en/staff/case/NOPE-NOPE/")
    html = missing.content.decode()
    assert missing.status_code == 404
    assert text_of(html, "staff-error") == "Page not found"
    assert "Planner" in text_of(html, "staff-nav")
    liaison = text_of(staff_client(Role.LIAISON).get("/ru/staff/").content.decode(), "staff-nav")
    assert liaison.startswith("Обзор Уведомления")  # his notices, in Russian


def at_kyiv(time_machine, day: int, hour: int, minute: int) -> None:
    """Moves the clock to that December 2026 moment in Kyiv (UTC+2)."""
    from datetime import UTC, datetime, timedelta

    time_machine.move_to(datetime(2026, 12, day, hour, minute, tzinfo=UTC) - timedelta(hours=2))


def test_each_item_shows_when_its_event_happened(world, front, staff_client, time_machine):
    """Issue #27, point 5: "asked for another time · since 23:00" when he asked at 23:27."""
    at_kyiv(time_machine, 8, 12, 0)
    wrote, _codename = verified_with_codename(Client())
    waiting, codename = verified_with_codename(Client())
    crossing = notify(world, waiting, front.quarry)
    at_kyiv(time_machine, 8, 12, 40)
    writer = Client()
    enter(writer, _codename)
    writer.post("/ru/my/reply/", {"text": "Когда?"})  # he waits from his application's
    at_kyiv(time_machine, 8, 13, 5)
    writer.post("/ru/my/reply/", {"text": "Жду ответа"})
    at_kyiv(time_machine, 8, 23, 0)
    notices.acknowledge(
        crossing.pk, user=front.other_liaison, keys=world.unit_keys, now=timezone.now()
    )
    at_kyiv(time_machine, 8, 23, 27)
    applicant = Client()
    enter(applicant, codename)
    applicant.post("/ru/my/another-time/")

    coordinator = staff_client(Role.COORDINATOR)
    items = coordinator.get("/ru/staff/").content.decode()
    needing = text_of(items, "attention")
    assert (
        f"{waiting.reference} — Заявитель попросил другое время · с 08.12.2026 23:27"
        " · киевское время (UTC+2)"
    ) in needing
    assert (
        f"{wrote.reference} — Новое сообщение от заявителя · с 08.12.2026 12:00"
        " · киевское время (UTC+2)"
    ) in needing


def test_a_call_with_no_message_waits_as_a_call_not_as_a_message(world, staff_client):
    from tests.inbox.test_inbox import call_form

    operator = staff_client(Role.INTAKE)
    operator.post("/en/staff/p/north/call/", call_form(operator))
    reference = world.programme.case_set.get().reference
    needing = attention(operator)
    assert f"{reference} — Hotline call waiting for an answer" in needing
    assert "New message" not in needing


def test_each_person_reads_a_short_help_for_each_of_his_roles(world, staff_client):
    """Issue #27, point 15: a help page per role, in his language."""
    liaison = staff_client(Role.LIAISON).get("/ru/staff/help/").content.decode()
    assert text_of(liaison, "help-liaison").startswith(
        "Связной принимающего подразделения Вы отвечаете на уведомления о прекращении огня"
    )
    assert 'id="help-admin"' not in liaison
    assert 'id="help-verifier"' not in liaison
    admin = staff_client(Role.ADMIN).get("/uk/staff/help/").content.decode()
    assert "Ви ведете команду" in text_of(admin, "help-admin")
