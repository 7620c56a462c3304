"""The applicant's instructions: when they may be shown (a pure read), and the writers that
record, once and with their audit entry, that he saw them and that he will come."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction

from safepassage.audit import log
from safepassage.audit.actions import Action
from safepassage.cases import probes, sign_ins
from safepassage.cases.models import Case
from safepassage.cases.states import State
from safepassage.lib import display
from safepassage.passage import plans
from safepassage.passage.models import Crossing
from safepassage.passage.recognition import DRONE_GUIDANCE, GROUP_PROTOCOL, SIGNALS, Signal


@dataclass(frozen=True)
class Instructions:
    crossing: Crossing
    when: str  # the window in the applicant's zone, with the zone named (display.window)
    place: str
    signal: Signal
    protocols: tuple[Signal, ...]


def withheld_for_probe_risk(case: Case, crossing: Crossing) -> bool:
    return crossing.instructions_override_by_id is None and probes.holds_instructions_back(case)


def instructions_for(case: Case, case_key: bytes, now: datetime) -> Instructions | None:
    """The applicant's instructions, or None: only for a scheduled case whose notice the
    receiving unit acknowledged, no earlier than the lead time before the window, not after
    it, and not for a suspected probe unless a verifier released them. Read from his copy of
    the plan, opened with his case's data key. A pure read: showing them is recorded by
    `release_instructions`."""
    if case.state != State.SCHEDULED:
        return None
    row = case.crossings.filter(status=Crossing.Status.ACKNOWLEDGED).first()
    if row is None:
        return None
    crossing = plans.opened_for_applicant(row, case_key)
    if crossing.plan is None:
        return None
    lead = timedelta(hours=settings.PASSAGE_INSTRUCTION_LEAD_HOURS)
    if not crossing.window_start - lead <= now <= crossing.window_end:
        return None
    if withheld_for_probe_risk(case, crossing) or sign_ins.crossing_on_hold(case, case_key):
        return None  # a duress sign-in holds them back from his next page, read or not yet
    protocols = []
    if crossing.escort in (Crossing.Escort.DRONE, Crossing.Escort.DRONE_AND_GROUND):
        protocols.append(DRONE_GUIDANCE)
    if crossing.head_count > 1:
        protocols.append(GROUP_PROTOCOL)
    return Instructions(
        crossing=crossing,
        when=display.window(crossing.window_start, crossing.window_end, display.applicant_zone()),
        place=crossing.sector.description,
        signal=SIGNALS[crossing.signal],
        protocols=tuple(protocols),
    )


def instructions_from(case: Case, case_key: bytes, now: datetime) -> datetime | None:
    """When his instructions will appear, while a crossing is planned for him and they are not
    due yet (the lead time before its window), read from his copy of the plan; else None."""
    if case.state not in (State.VERIFIED, State.SCHEDULED):
        return None
    row = case.crossings.filter(status__in=Crossing.ACTIVE).first()
    if row is None:
        return None
    crossing = plans.opened_for_applicant(row, case_key)
    if crossing.plan is None:
        return None
    due = crossing.window_start - timedelta(hours=settings.PASSAGE_INSTRUCTION_LEAD_HOURS)
    return due if due > now else None


def _record_once(case: Case, crossing: Crossing, field: str, action: Action, now: datetime) -> None:
    """Set a one-time moment of the crossing and its audit entry, in the caller's transaction;
    a second call finds the moment set and writes nothing."""
    first_time = Crossing.objects.filter(pk=crossing.pk, **{f"{field}__isnull": True}).update(
        **{field: now}
    )
    if first_time:
        log.record_case(case, action, log.APPLICANT, crossing=crossing.pk)


@transaction.atomic
def release_instructions(case: Case, instructions: Instructions, now: datetime) -> None:
    """Record, once, that the applicant was shown his instructions."""
    _record_once(
        case,
        instructions.crossing,
        "instructions_shown_at",
        Action.PASSAGE_INSTRUCTIONS_RELEASED,
        now,
    )


@transaction.atomic
def applicant_confirms(case: Case, case_key: bytes, now: datetime) -> bool:
    """The applicant says he will come: recorded once. False when there is no released
    crossing to confirm."""
    instructions = instructions_for(case, case_key, now)
    if instructions is None:
        return False
    _record_once(
        case,
        instructions.crossing,
        "applicant_confirmed_at",
        Action.PASSAGE_APPLICANT_CONFIRMED,
        now,
    )
    return True
