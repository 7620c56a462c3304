"""What needs attention reaches the roles that act on it, on the staff home and the queue,
and stays until someone acts; every staff page has the navigation bar."""

import re

import pytest
from django.test import Client
from django.utils import timezone

from safepassage.passage import notices
from safepassage.programmes.roles import Role
from tests.conftest import enter, submit, text_of
from tests.passage.conftest import front, notify, verified_with_codename  # noqa: F401

pytestmark = pytest.mark.django_db


def attention(client: Client) -> str:
    html = client.get("/en/staff/").content.decode()
    return text_of(html, "attention") if 'id="attention"' in html else ""


def test_a_duress_sign_in_reaches_verifiers_and_intake_until_cleared(world, staff_client):
    applicant = Client()
    codename = submit(applicant)
    enter(applicant, codename)
    page = applicant.post("/en/my/duress/").content.decode()
    duress = re.search(r'id="duress-codename">([^<]+)<', page).group(1)
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
    assert reference in text_of(queue, "attention") and reference in text_of(queue, "queue")
    assert world.programme.case_set.get().state == "applied"
    verifier.post(f"/en/staff/case/{reference}/probe/", {"flagged": "0"})
    assert "duress" not in attention(verifier)


def test_a_decline_and_a_request_for_another_time_reach_the_coordinator(
    world,
    front,  # noqa: F811
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
    applicant.post("/en/my/request_other_time/")

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
        "Overview North: Queue Inbox Planner north-coordinator Change password Your sessions"
        " Sign out"
    )
    missing = coordinator.get("/en/staff/case/NOPE-NOPE/")
    html = missing.content.decode()
    assert missing.status_code == 404
    assert text_of(html, "staff-error") == "Page not found"
    assert "Planner" in text_of(html, "staff-nav")
    liaison = text_of(staff_client(Role.LIAISON).get("/ru/staff/").content.decode(), "staff-nav")
    assert liaison.startswith("Обзор Уведомления")  # his notices, in Russian
