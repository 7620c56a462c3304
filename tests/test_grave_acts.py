"""Irreversible or grave acts ask again on a second step that needs no JavaScript; those that
end a case need a reason; their buttons look unlike the ordinary next step."""

import re

import pytest
from django.test import Client

from safepassage.audit.models import AuditEvent
from safepassage.cases.models import Case, Note
from safepassage.programmes.roles import Role
from safepassage.reception.models import Prisoner
from tests.conftest import found, sign_in, text_of
from tests.fixtures.crossings import verified_case

pytestmark = pytest.mark.django_db


def hidden_fields(html: str) -> dict[str, str]:
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))


def test_rejecting_a_case_asks_again_and_needs_a_reason(world, front, staff_client):
    case = verified_case(Client())
    verifier = staff_client(Role.VERIFIER)
    page = verifier.get(f"/en/staff/case/{case.reference}/").content.decode()
    assert re.search(r'<button type="submit" name="action" value="reject" class="danger">', page)
    assert re.search(r'<button type="submit" name="action" value="set_dormant">', page)

    url = f"/en/staff/case/{case.reference}/action/"
    asked = verifier.post(url, {"action": "reject"})
    html = asked.content.decode()
    assert asked.status_code == 200
    assert text_of(html, "confirm-step").startswith(
        f"Reject: case {case.reference}? This ends the case: nothing more will happen with it."
    )
    assert hidden_fields(html)["action"] == "reject"  # the confirmation posts it back
    unexplained = verifier.post(url, {"action": "reject", "confirmed": "yes", "reason": " "})
    assert unexplained.status_code == 400
    assert "Give the reason: it is kept with the case." in unexplained.content.decode()
    assert Case.objects.get(pk=case.pk).state == "verified"
    assert not AuditEvent.objects.filter(action="case.reject").exists()

    done = verifier.post(
        url, {"action": "reject", "confirmed": "yes", "reason": "Service number is invented"}
    )
    assert done.status_code == 302
    assert Case.objects.get(pk=case.pk).state == "rejected"
    assert AuditEvent.objects.filter(case_ref=case.reference, action="case.reject").count() == 1
    assert Note.objects.filter(case=case).count() == 1


def test_an_ordinary_step_is_taken_at_once(world, front, staff_client):
    case = verified_case(Client())
    response = staff_client(Role.VERIFIER).post(
        f"/en/staff/case/{case.reference}/action/", {"action": "set_dormant"}
    )
    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).state == "dormant"


def test_the_capture_card_is_marked_sent_only_after_confirmation(
    world,
    registered,
    staff_client,
):
    officer = staff_client(Role.RECEPTION)
    url = f"/en/staff/case/{registered.reference}/reception/card-sent/"
    asked = officer.post(url)
    assert asked.status_code == 200
    assert 'id="confirm-step"' in asked.content.decode()
    assert Prisoner.objects.get(case=registered).card_sent_at is None
    assert officer.post(url, {"confirmed": "yes"}).status_code == 302
    assert Prisoner.objects.get(case=registered).card_sent_at is not None


def test_an_officer_who_approved_is_not_offered_approve_again(
    world,
    registered,
    second_officer,
    verifying_officer,
    staff_client,
):
    first = staff_client(Role.AFTERCARE)
    url = f"/en/staff/case/{registered.reference}/aftercare/"
    first.post(
        url + "equipment/",
        {"category": "tank", "description": "T-72", "handed_over_on": "01.11.2026"},
    )
    claim_pk = found(r'name="claim" value="(\d+)"', first.get(url).content.decode())
    sign_in(Client(), verifying_officer).post(url + "claim/", {"claim": claim_pk, "step": "verify"})
    first.post(url + "claim/", {"claim": claim_pk, "step": "approve"})
    mine = first.get(url).content.decode()
    assert 'value="approve"' not in mine
    assert text_of(mine, f"approved-by-you-{claim_pk}") == "(you have approved)"
    other = sign_in(Client(), second_officer).get(url).content.decode()
    assert 'value="approve"' in other
