"""The crossing plan at rest (issue #16, point 3): who can open it, when it is destroyed."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from safepassage.passage import notices, plans, windows
from safepassage.passage.models import Crossing, UnitKeyGrant
from safepassage.programmes.roles import Role
from safepassage.programmes.services import add_staff
from tests.conftest import PASSWORD, audit_entries, sign_in, text_of
from tests.fixtures.crossings import crossed, notify, verified_case

pytestmark = pytest.mark.django_db


def test_the_plan_is_sealed_to_the_programme_the_unit_and_the_applicant_only(world, front, client):
    case = verified_case(client)
    crossing = notify(world, case, front.orchard)
    row = Crossing.objects.select_related("unit").get(pk=crossing.pk)
    assert plans.open_one(row, world.keys).signal == "arms_raised_spread"
    assert plans.open_one(row, world.unit_keys).sector.name == "Orchard"
    assert plans.opened_for_applicant(row, world.case_key(case)).plan == crossing.plan
    # The other unit's key, or no key, opens nothing; reading the plan then fails loudly.
    quarry_only = plans.Keys(
        units={
            front.quarry.receiving_unit_id: world.unit_keys.units[front.quarry.receiving_unit_id]
        }
    )
    closed = plans.open_one(
        Crossing.objects.select_related("unit").get(pk=crossing.pk), quarry_only
    )
    assert closed.plan is None
    with pytest.raises(Exception, match="not open in this session"):
        closed.window_start  # noqa: B018


def test_a_liaison_added_later_reads_notices_once_a_key_holder_grants_the_unit_key(
    world, front, client, staff_client
):
    """Issue #22, point 2: an admin who lists an account of his own on a unit reads nothing
    of its plans; no sign-in shares the unit key, only a plan-key holder's explicit act."""
    newcomer = add_staff(
        world.programme, "north-liaison-3", PASSWORD, [Role.LIAISON], keyring=world.keyring
    )
    TOTPDevice.objects.create(user=newcomer, name="app", confirmed=True)
    case = verified_case(client)
    crossing = notify(world, case, front.orchard)
    front.orchard.receiving_unit.liaisons.add(newcomer)  # after the notice went out
    session = sign_in(Client(), newcomer)
    page = session.get("/en/staff/notices/").content.decode()
    assert "has not shared its key with you yet" in text_of(page, "waiting-for-key")
    assert f"notice-{crossing.pk}" not in page
    # Key holders sign in and send notices: nothing is shared by itself.
    coordinator = staff_client(Role.COORDINATOR)
    staff_client(Role.RECEPTION)
    notify(world, verified_case(client), front.quarry)
    assert not UnitKeyGrant.objects.filter(user=newcomer).exists()
    assert f"notice-{crossing.pk}" not in session.get("/en/staff/notices/").content.decode()
    # The coordinator's home asks him; he decides, and it is audited with his name.
    home = coordinator.get("/en/staff/").content.decode()
    unit = front.orchard.receiving_unit
    waiting = text_of(home, f"unit-waiting-{unit.pk}-{newcomer.pk}")
    assert waiting == "north-liaison-3 · 47th brigade Grant the unit's key"
    coordinator.post(f"/en/staff/p/north/units/{unit.pk}/grant/{newcomer.pk}/")
    page = session.get("/en/staff/notices/").content.decode()
    assert f"notice-{crossing.pk}" in page
    assert "waiting-for-key" not in page
    coordinator_pk = world.staff[Role.COORDINATOR].pk
    granted = audit_entries("staff.unit_key_granted", detail__staff=newcomer.pk)
    assert granted == [(f"staff:{coordinator_pk}", {"staff": newcomer.pk, "unit": unit.pk})]


def test_the_admin_who_invited_a_liaison_cannot_grant_him_a_unit_key(world, front, client):
    """Who invited the account does not also vouch for it: a second key holder decides."""
    from safepassage.programmes.models import Invitation

    coordinator = world.staff[Role.COORDINATOR]
    newcomer = add_staff(
        world.programme, "north-liaison-4", PASSWORD, [Role.LIAISON], keyring=world.keyring
    )
    Invitation.objects.create(
        programme=world.programme,
        purpose=Invitation.Purpose.JOIN,
        username=newcomer.username,
        user=newcomer,
        created_by=coordinator,
        token_hash=b"x" * 32,
        expires_at=timezone.now(),
    )
    unit = front.orchard.receiving_unit
    unit.liaisons.add(newcomer)
    with pytest.raises(plans.UnitKeyRefused, match="you invited this account yourself"):
        plans.grant_unit_key(
            world.programme.pk, unit.pk, newcomer.pk, by=coordinator, keyring=world.keyring
        )
    assert not UnitKeyGrant.objects.filter(user=newcomer).exists()


def test_an_admin_taking_a_liaison_off_the_unit_takes_its_key_too(
    world, front, client, staff_client
):
    notify(world, verified_case(client), front.orchard)
    liaison = world.staff[Role.LIAISON]
    unit = front.orchard.receiving_unit
    assert UnitKeyGrant.objects.filter(unit=unit, user=liaison).exists()
    admin = staff_client(Role.ADMIN)
    response = admin.post(f"/en/staff/p/north/units/{unit.pk}/", {"name": unit.name})
    assert response.status_code == 302
    assert not UnitKeyGrant.objects.filter(unit=unit, user=liaison).exists()
    page = staff_client(Role.LIAISON).get("/en/staff/notices/").content.decode()
    assert "Orchard" not in page
    assert audit_entries("passage.receivingunit_saved") == [
        (f"staff:{world.staff[Role.ADMIN].pk}", {"id": unit.pk})
    ]


def test_an_ended_plan_loses_the_applicants_copy_at_once_and_the_rest_after_its_signal_rested(
    world, front, client, settings
):
    crossing = crossed(world, front, client, "arrived")
    crossing.refresh_from_db()
    assert crossing.for_applicant is None
    assert crossing.for_programme is not None
    today = windows.night_of(timezone.now())
    # Its signal still rests in the sector: the plan is kept (sealed) until then.
    Crossing.objects.filter(pk=crossing.pk).update(night=today - timedelta(days=2))
    assert plans.destroy_rested(today) == 0
    rested = today - timedelta(days=settings.PASSAGE_SIGNAL_REST_DAYS + 1)
    Crossing.objects.filter(pk=crossing.pk).update(night=rested)
    assert plans.destroy_rested(today) == 1
    crossing.refresh_from_db()
    assert crossing.plan_destroyed
    assert crossing.outcome == "arrived"


def test_a_live_notice_is_never_destroyed(world, front, client):
    crossing = notify(world, verified_case(client), front.orchard)
    Crossing.objects.filter(pk=crossing.pk).update(night=crossing.night - timedelta(days=60))
    assert plans.destroy_rested(windows.night_of(timezone.now())) == 0
    notices.expire(timezone.now())  # the worker withdraws it first, by its plain night
    crossing.refresh_from_db()
    assert crossing.status == "expired"
    assert crossing.for_applicant is None
    assert audit_entries("passage.notice_sent", case_ref=crossing.case.reference) == [
        (f"staff:{world.staff[Role.COORDINATOR].pk}", {"crossing": crossing.pk})
    ]
    assert audit_entries("passage.notice_expired") == [("system", {"crossing": crossing.pk})]


def test_the_coordinators_history_says_when_a_plan_was_destroyed(
    world, front, client, staff_client
):
    crossing = crossed(world, front, client, "turned_back")
    Crossing.objects.filter(pk=crossing.pk).update(for_programme=None, for_unit=None)
    page = staff_client(Role.COORDINATOR).get(f"/en/staff/case/{crossing.case.reference}/crossing/")
    assert "plan destroyed after the crossing ended" in text_of(page.content.decode())
