"""A withdrawn notice stands at the top of the liaison's home and console until he says he
told his unit that nobody is coming (issue #27, point 3)."""

import pytest
from django.utils import timezone

from safepassage.cases import applicant_writers
from safepassage.passage import notices
from safepassage.passage.models import Crossing
from safepassage.programmes.roles import Role
from tests.conftest import audit_entries, text_of
from tests.fixtures.crossings import notify, verified_case

pytestmark = pytest.mark.django_db


def withdrawn_after_acknowledgement(world, front, client) -> Crossing:
    crossing = notify(world, verified_case(client), front.orchard)
    notices.acknowledge(
        crossing.pk, user=world.staff[Role.LIAISON], keys=world.unit_keys, now=timezone.now()
    )
    crossing.refresh_from_db()
    applicant_writers.applicant_action(crossing.case, "cancel")
    crossing.refresh_from_db()
    assert crossing.status == Crossing.Status.WITHDRAWN
    return crossing


def test_a_withdrawal_stands_on_top_until_the_liaison_told_his_unit(
    world, front, client, staff_client
):
    crossing = withdrawn_after_acknowledgement(world, front, client)
    liaison = staff_client(Role.LIAISON)

    home = liaison.get("/ru/staff/").content.decode()
    alarm = text_of(home, "liaison-withdrawn")
    assert alarm.startswith("Отменено: никто не придёт, сообщите своему подразделению")
    console = liaison.get("/ru/staff/notices/").content.decode()
    top = text_of(console, "withdrawn-notices")
    assert top.startswith("Отменено: никто не придёт, сообщите своему подразделению")
    assert "Я сообщил подразделению" in top
    assert console.index('id="withdrawn-notices"') < console.index('id="pending-notices"')
    assert 'id="finished-notices"' not in console  # not folded away

    response = liaison.post(f"/ru/staff/notices/{crossing.pk}/withdrawal-seen/")
    assert response.status_code == 302
    console = liaison.get("/ru/staff/notices/").content.decode()
    assert 'id="withdrawn-notices"' not in console
    assert f'id="notice-{crossing.pk}"' in console.split('id="finished-notices"')[1]
    assert 'id="liaison-withdrawn"' not in liaison.get("/ru/staff/").content.decode()
    liaison_pk = world.staff[Role.LIAISON].pk
    assert audit_entries("passage.withdrawal_seen") == [
        (f"staff:{liaison_pk}", {"crossing": crossing.pk})
    ]
    # Saying it twice records nothing more.
    liaison.post(f"/ru/staff/notices/{crossing.pk}/withdrawal-seen/")
    assert len(audit_entries("passage.withdrawal_seen")) == 1


def test_only_a_withdrawn_notice_can_be_marked_as_passed_on(world, front, client, staff_client):
    crossing = notify(world, verified_case(client), front.orchard)
    liaison = staff_client(Role.LIAISON)
    response = liaison.post(f"/en/staff/notices/{crossing.pk}/withdrawal-seen/")
    assert response.status_code == 302
    page = liaison.get(response["Location"]).content.decode()
    assert text_of(page, "action-error") == "This notice has not been withdrawn."
    assert audit_entries("passage.withdrawal_seen") == []
