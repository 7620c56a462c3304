"""A front with two sectors, each with its own receiving unit and liaison, and a way to get
a verified case."""

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from safepassage.cases import transitions
from safepassage.cases.models import Case
from safepassage.passage import notices, plans, windows
from safepassage.passage.models import Crossing, ReceivingUnit, Sector
from safepassage.programmes.roles import Role
from safepassage.programmes.services import add_staff
from tests.conftest import PASSWORD, submit


@dataclass
class Front:
    orchard: Sector
    quarry: Sector
    other_liaison: User


@pytest.fixture
def front(world) -> Front:
    unit = ReceivingUnit.objects.create(programme=world.programme, name="47th brigade")
    unit.liaisons.add(world.staff[Role.LIAISON])
    other_unit = ReceivingUnit.objects.create(programme=world.programme, name="93rd brigade")
    other = add_staff(
        world.programme, "north-liaison-2", PASSWORD, [Role.LIAISON], keyring=world.keyring
    )
    TOTPDevice.objects.create(user=other, name="app", confirmed=True)
    other_unit.liaisons.add(other)
    orchard = Sector.objects.create(
        programme=world.programme,
        name="Orchard",
        description="The burnt orchard with the white water tower on your left",
        approach="From the south-east tree line towards the ruined farm",
        receiving_unit=unit,
    )
    quarry = Sector.objects.create(
        programme=world.programme,
        name="Quarry",
        description="The flooded quarry",
        approach="Along the quarry road",
        receiving_unit=other_unit,
        distance_km=7.0,
    )
    # The coordinator grants each liaison his unit's key, as from his home page.
    for granted, liaison in ((unit, world.staff[Role.LIAISON]), (other_unit, other)):
        plans.grant_unit_key(
            world.programme.pk,
            granted.pk,
            liaison.pk,
            by=world.staff[Role.COORDINATOR],
            keyring=world.keyring,
        )
    return Front(orchard, quarry, other)


def verified_with_codename(client, **overrides) -> tuple[Case, str]:
    """Apply through the real form, then verify: the case and the applicant's codename."""
    codename = submit(client, **overrides)
    case = Case.objects.order_by("-pk")[0]
    verifier = frozenset({Role.VERIFIER})
    transitions.perform(case, "start_verification", roles=verifier, actor="staff:test")
    transitions.perform(case, "verify", roles=verifier, actor="staff:test")
    case.refresh_from_db()
    return case, codename


def verified_case(client, **overrides) -> Case:
    return verified_with_codename(client, **overrides)[0]


def first_window(now: datetime | None = None) -> windows.Window:
    return windows.upcoming(now or timezone.now())[0]


def notify(world, case, sector, *, window=None, signal="arms_raised_spread", now=None) -> Crossing:
    now = now or timezone.now()
    window = window or first_window(now)
    return notices.send_notice(
        case,
        user=world.staff[Role.COORDINATOR],
        keyring=world.keyring,
        sector_id=sector.pk,
        window_key=window.key,
        signal=signal,
        escort=Crossing.Escort.DRONE,
        head_count=1,
        now=now,
    )


def opened_plan(world, crossing: Crossing) -> plans.Plan:
    row = Crossing.objects.select_related("unit").get(pk=crossing.pk)
    plan = plans.open_one(row, world.keys).plan
    assert plan is not None, "the programme key opens every plan not yet destroyed"
    return plan


def replan(world, crossing: Crossing, **changes) -> Crossing:
    """Seal the crossing's plan again with `changes` (a window moved, say), as a coordinator's
    session would: a test cannot wait for the night. The night moves with the window."""
    row = Crossing.objects.select_related("unit__programme", "case").get(pk=crossing.pk)
    plan = replace(opened_plan(world, row), **changes)
    applicant_copy = row.for_applicant
    plans.seal(row, plan, unit=row.unit, case_key=world.case_key(row.case))
    if applicant_copy is None:
        row.for_applicant = None  # it ended: the applicant's copy stays gone
    row.night = windows.night_of(plan.window_start)
    row.save(update_fields=["for_programme", "for_unit", "for_applicant", "night"])
    return plans.open_one(row, world.keys)


def under_way(world, crossing: Crossing) -> Crossing:
    """Move a crossing's window so that it began ten minutes ago: a test cannot wait for the
    night, and nobody can report an arrival before the window."""
    now = timezone.now()
    return replan(
        world,
        crossing,
        window_start=now - timedelta(minutes=10),
        window_end=now + timedelta(minutes=80),
    )


def into_the_past(world, crossing: Crossing) -> Crossing:
    """Move an ended crossing's window back to the year 2000, freeing its sector's window
    and signal for the next case of the test."""
    plan = opened_plan(world, crossing)
    return replan(
        world,
        crossing,
        window_start=plan.window_start.replace(year=2000),
        window_end=plan.window_end.replace(year=2000),
    )


def at(window: windows.Window, hours: float) -> datetime:
    """A moment `hours` after the window starts (negative: before)."""
    return window.start + timedelta(hours=hours)


def crossed(world, front, client, outcome: str) -> Crossing:
    """A crossing in the Orchard, acknowledged and under way, that ended in `outcome` as the
    coordinator recorded it; its window then moved into the past, so the sector has room."""
    from safepassage.passage import outcomes

    case = verified_case(client)
    crossing = notify(world, case, front.orchard)
    notices.acknowledge(
        crossing.pk, user=world.staff[Role.LIAISON], keys=world.unit_keys, now=timezone.now()
    )
    under_way(world, crossing)
    case.refresh_from_db()
    outcomes.record_outcome(
        case,
        outcome,
        user=world.staff[Role.COORDINATOR],
        keys=world.keys,
        roles=frozenset({Role.COORDINATOR}),
        now=timezone.now(),
        reason="Reported by the unit" if outcome in ("killed", "captured") else "",
    )
    return into_the_past(world, crossing)
