"""What the coordinator decides about a crossing in preparation once the duress codename of
its applicant was used (issue #27, point 1): keep it, or call it off.

Until one of them does, the duress signal holds the instructions back, and the applicant's
own page tells him his crossing is on hold. Calling it off withdraws the notice (the liaison
then reads "nobody is coming" at the top of his pages) and leaves the signal for a verifier,
who decides about the case; keeping it clears the signal, with the coordinator's reason kept
as a note.
"""

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from safepassage.audit import log
from safepassage.audit.actions import Action
from safepassage.cases import casework, transitions
from safepassage.cases.models import Case, ProbeSignal
from safepassage.cases.states import State
from safepassage.passage import outcomes
from safepassage.passage.models import Crossing
from safepassage.passage.planning import PlanRefused
from safepassage.programmes.roles import Role


def open_duress_signal(case: Case) -> ProbeSignal | None:
    return case.probe_signals.filter(kind=ProbeSignal.Kind.DURESS, cleared_at__isnull=True).first()


def _crossing_to_decide(case: Case) -> Crossing:
    transitions.lock(case.pk)
    crossing = case.crossings.select_for_update().filter(status__in=Crossing.ACTIVE).first()
    if crossing is None:
        raise PlanRefused(_("This case has no crossing in preparation."))
    if open_duress_signal(case) is None:
        raise PlanRefused(_("No duress sign-in waits for a decision on this crossing."))
    return crossing


@transaction.atomic
def keep_crossing(case: Case, *, user: User, reason: str) -> Crossing:
    """He is believed safe: the crossing goes ahead, the duress signal is cleared."""
    crossing = _crossing_to_decide(case)
    now = timezone.now()
    case.probe_signals.filter(kind=ProbeSignal.Kind.DURESS, cleared_at__isnull=True).update(
        cleared_at=now, cleared_by=user
    )
    still_open = case.probe_signals.filter(cleared_at__isnull=True).exists()
    Case.objects.filter(pk=case.pk).update(probe_flagged=still_open)
    casework.add_note(case, user=user, text=reason)
    log.record_case(
        case, Action.PASSAGE_KEPT_AFTER_DURESS, log.staff_actor(user), crossing=crossing.pk
    )
    return crossing


@transaction.atomic
def call_off_crossing(case: Case, *, user: User) -> Crossing:
    """The crossing is called off and its notice withdrawn; the case waits for a verifier."""
    crossing = _crossing_to_decide(case)
    actor = log.staff_actor(user)
    if case.state == State.SCHEDULED:
        transitions.perform(case, "unschedule", roles=frozenset({Role.COORDINATOR}), actor=actor)
    else:  # a notice not yet acknowledged: the case is still verified
        outcomes.end_crossing(case, action="called_off_after_duress", actor=actor)
    log.record_case(case, Action.PASSAGE_CALLED_OFF_AFTER_DURESS, actor, crossing=crossing.pk)
    crossing.refresh_from_db()
    return crossing
