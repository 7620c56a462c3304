"""Banners say what is true of the case in front of the reader (issue #27, point 4): a live
prisoner's after-care page never says his case was destroyed, and a crossing plan closed to
the reader is not called destroyed."""

import pytest
from django.utils import timezone

from safepassage.audit import log
from safepassage.cases import retention
from safepassage.passage import notices
from safepassage.programmes.roles import Role
from tests.conftest import text_of
from tests.fixtures.crossings import notify, verified_case

pytestmark = pytest.mark.django_db

DESTROYED = "Дело уничтожено по правилам хранения. Прочитать из него ничего нельзя."


def test_a_live_prisoners_aftercare_page_says_nothing_of_destruction(registered, staff_client):
    officer = staff_client(Role.AFTERCARE)
    page = text_of(
        officer.get(f"/ru/staff/case/{registered.reference}/aftercare/").content.decode()
    )
    assert "уничтожено" not in page
    retention.shred(registered, actor=log.SYSTEM)
    response = officer.get(f"/ru/staff/case/{registered.reference}/aftercare/")
    assert DESTROYED in text_of(response.content.decode())


def test_an_upcoming_crossing_is_sealed_not_destroyed_for_the_verifier(
    world, front, client, staff_client
):
    crossing = notify(world, verified_case(client), front.orchard)
    notices.acknowledge(
        crossing.pk, user=world.staff[Role.LIAISON], keys=world.unit_keys, now=timezone.now()
    )
    url = f"/ru/staff/case/{crossing.case.reference}/crossing/"
    verifier = text_of(staff_client(Role.VERIFIER).get(url).content.decode())
    assert "план закрыт: ваши роли не читают планы переходов" in verifier
    assert "уничтожен" not in verifier
    coordinator = text_of(staff_client(Role.COORDINATOR).get(url).content.decode())
    assert "план закрыт" not in coordinator
    assert "уничтожен" not in coordinator
