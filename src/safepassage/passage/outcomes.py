"""How a crossing ends: the arrival at its reported time, the outcomes a coordinator records
(turned back, killed, captured, missing), and the effect of the case table's ending rows,
which completes or withdraws the crossing in the same transaction."""

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from safepassage.audit import log
from safepassage.audit.actions import Action
from safepassage.cases import casework, transitions
from safepassage.cases.models import Case
from safepassage.cases.states import State
from safepassage.lib import display
from safepassage.passage import plans, windows
from safepassage.passage.models import Crossing
from safepassage.passage.planning import PlanRefused
from safepassage.programmes.roles import Role
from safepassage.reception import services as reception

# What each outcome does to the case, taken through the transition table.
ACTION_FOR_OUTCOME: dict[str, str] = {
    Crossing.Outcome.ARRIVED: "arrive",
    Crossing.Outcome.TURNED_BACK: "turn_back",
    Crossing.Outcome.KILLED: "record_death",
    Crossing.Outcome.CAPTURED: "mark_compromised",
    Crossing.Outcome.MISSING: "depart",
}
# Captured and missing are written on the crossing before their action runs: the same actions
# also come from elsewhere (a verifier marks a case compromised) and must then only withdraw.
RECORDED_BEFORE_ACTION = frozenset({Crossing.Outcome.CAPTURED, Crossing.Outcome.MISSING})
# The reverse, for the table's effect: the actions that complete the crossing themselves.
COMPLETING_ACTIONS: dict[str, str] = {
    action: outcome
    for outcome, action in ACTION_FOR_OUTCOME.items()
    if outcome not in RECORDED_BEFORE_ACTION
}


# Outcomes after which nothing more happens with the case: each needs a reason.
CASE_ENDING_OUTCOMES = frozenset({Crossing.Outcome.KILLED, Crossing.Outcome.CAPTURED})


def _arriving_crossing(case: Case) -> Crossing | None:
    return (
        case.crossings.filter(status=Crossing.Status.ACKNOWLEDGED).first()
        or case.crossings.filter(outcome=Crossing.Outcome.MISSING).order_by("-pk").first()
    )


def earliest_arrival(crossing: Crossing) -> datetime:
    """From a little before the window starts (the plan, opened in the caller's session)."""
    return crossing.window_start - timedelta(minutes=settings.PASSAGE_ARRIVAL_GRACE_MINUTES)


def arrival_refusal(case: Case, moment: datetime) -> str | None:
    """Why an arrival at `moment` cannot be recorded for this case, or None, judged by the
    crossing's plain night (the table's guard holds no key). `record_arrival` then holds the
    window itself to the minute, and the guard admits no arrival it did not write."""
    crossing = _arriving_crossing(case)
    if crossing is None:
        return _("This case has no acknowledged crossing to arrive from.")
    if moment < windows.night_begins(crossing.night):
        return _("The night of the crossing has not begun yet.")
    return None


def _too_early(crossing: Crossing, moment: datetime) -> str | None:
    if moment < earliest_arrival(crossing):
        return _("The window has not begun yet: an arrival can be recorded from %(time)s.") % {
            "time": display.moment(earliest_arrival(crossing), display.window_zone())
        }
    return None


@transaction.atomic
def record_arrival(
    case: Case,
    *,
    arrived_at: datetime,
    user: User,
    roles: frozenset[Role],
    keys: plans.Keys,
    now: datetime,
) -> Case:
    """He is across, at the reported time `arrived_at` (the capture time on his card): not in
    the future, not before the window. The case becomes received."""
    transitions.lock(case.pk)  # before the crossing and the prisoner
    if arrived_at > now:
        raise PlanRefused(_("The arrival time cannot be in the future."))
    arriving = _arriving_crossing(case)
    if arriving is None:
        raise PlanRefused(_("This case has no acknowledged crossing to arrive from."))
    crossing = plans.open_one(arriving, keys)
    if crossing.plan is None:
        raise PlanRefused(_("The crossing's plan cannot be opened here."))
    if refusal := _too_early(crossing, arrived_at) or arrival_refusal(case, arrived_at):
        raise PlanRefused(refusal)
    # The capture is written first, at the reported time; the transition's effect finds it.
    reception.record_capture(case, at=arrived_at)
    return transitions.perform(case, "arrive", roles=roles, actor=log.staff_actor(user), now=now)


def end_crossing(case: Case, *, action: str, actor: str) -> None:
    """Called by the transition table: record the outcome `action` means, or withdraw the
    notice. A crossing recorded as missing can still end in another outcome."""
    crossing = (
        case.crossings.filter(status__in=Crossing.ACTIVE).first()
        or case.crossings.filter(outcome=Crossing.Outcome.MISSING).order_by("-pk").first()
    )
    if crossing is None:
        return
    if action in COMPLETING_ACTIONS:
        _complete(crossing, COMPLETING_ACTIONS[action], actor)
    elif crossing.is_active:
        crossing.status = Crossing.Status.WITHDRAWN
        crossing.closed_reason = crossing.closed_reason or action
        crossing.closed_at = timezone.now()
        crossing.for_applicant = None
        crossing.save(update_fields=["status", "closed_reason", "closed_at", "for_applicant"])
        log.record_case(
            case, Action.PASSAGE_NOTICE_WITHDRAWN, actor, crossing=crossing.pk, reason=action
        )


def _complete(crossing: Crossing, outcome: str, actor: str) -> None:
    crossing.status = Crossing.Status.COMPLETED
    crossing.outcome = outcome
    crossing.outcome_at = timezone.now()
    crossing.for_applicant = None
    crossing.save(update_fields=["status", "outcome", "outcome_at", "for_applicant"])
    log.record_case(
        crossing.case, Action.PASSAGE_OUTCOME, actor, crossing=crossing.pk, outcome=outcome
    )


@transaction.atomic
def record_outcome(
    case: Case,
    outcome: str,
    *,
    user: User,
    roles: frozenset[Role],
    now: datetime,
    keys: plans.Keys,
    arrived_at: datetime | None = None,
    reason: str = "",
) -> Case:
    """What happened in the crossing window. Missing leaves the case in transit, so a later
    report (arrived, killed) can still be recorded. An arrival carries its reported time; an
    outcome that ends the case carries the reason, kept as a staff note."""
    if outcome not in ACTION_FOR_OUTCOME:
        raise PlanRefused(_("Choose an outcome."))
    transitions.lock(case.pk)  # before the crossing and the prisoner
    if outcome in CASE_ENDING_OUTCOMES and not reason:
        raise PlanRefused(_("Give the reason: it is kept with the case."))
    if reason:
        casework.add_note(case, user=user, text=reason)
    if outcome == Crossing.Outcome.ARRIVED:
        return record_arrival(
            case, arrived_at=arrived_at or now, user=user, roles=roles, keys=keys, now=now
        )
    actor = log.staff_actor(user)
    crossing = (
        case.crossings.select_for_update().filter(status=Crossing.Status.ACKNOWLEDGED).first()
        or case.crossings.filter(outcome=Crossing.Outcome.MISSING).order_by("-pk").first()
    )
    if crossing is None:
        raise PlanRefused(_("This case has no acknowledged crossing to record an outcome for."))
    if outcome in RECORDED_BEFORE_ACTION:
        _complete(crossing, outcome, actor)
    action = ACTION_FOR_OUTCOME[outcome]
    if outcome == Crossing.Outcome.MISSING and case.state == State.IN_TRANSIT:
        return case
    return transitions.perform(case, action, roles=roles, actor=actor)
