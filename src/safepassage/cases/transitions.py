"""The case state machine: one table, and the one function that changes a case's state.

Each row: the states it starts from, the action, the state it leads to, who may take it, a
guard that can refuse with a reason, and an effect run in the same transaction (withdrawing
the hold-fire notice when a crossing is called off, recording its outcome when it is over).
`create_case` (a new case) and `perform` (a move) are the only code that writes Case.state.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from safepassage.audit import log
from safepassage.audit.actions import Action, CaseMove, case_move
from safepassage.cases import counts
from safepassage.cases.models import Case, ProbeSignal
from safepassage.cases.states import CANCELLABLE, ENDED, OPEN, State
from safepassage.lib.acts import Refused
from safepassage.programmes.roles import Role

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

APPLICANT = "applicant"
APPLICANT_ROLES: frozenset[str] = frozenset({APPLICANT})
# Besides every action that ends a case: those that cannot be taken back.
GRAVE_ACTIONS = frozenset({"arrive", "record_death"})
SYSTEM = "system"
SYSTEM_ROLES: frozenset[str] = frozenset({SYSTEM})
Guard = Callable[[Case, datetime], str | None]  # (case, now): a reason to refuse, or None
Effect = Callable[[Case, str, str], None]  # (case, action, actor)


def no_open_manual_probe_flag(case: Case, now: datetime) -> str | None:
    if case.probe_signals.filter(kind=ProbeSignal.Kind.MANUAL, cleared_at__isnull=True).exists():
        return str(_("A verifier has flagged this case as a possible probe."))
    return None


@dataclass(frozen=True)
class Transition:
    sources: tuple[str, ...]
    action: str
    target: str
    allowed: frozenset[str]
    # Dotted paths, resolved once (`rule`): the app that owns the fact owns the rule, and
    # `cases` imports none of them (as healthchecks' TRANSPORTS names its transports).
    guard: str | None = None
    label: "StrOrPromise" = ""
    effect: str | None = None
    # An action that needs what only the owning app can open with the session's key (an
    # arrival is checked against the sealed window): the writer a staff page calls instead
    # of `perform`, as (case, user=, roles=, private_key=, now=).
    taken_by: str | None = None

    @property
    def ends_case(self) -> bool:
        return self.target in ENDED

    @property
    def grave(self) -> bool:
        """Irreversible or grave: asked again on a second step (safepassage.confirm)."""
        return self.ends_case or self.action in GRAVE_ACTIONS


def _roles(*roles: str) -> frozenset[str]:
    return frozenset(roles)


S = State
TABLE: tuple[Transition, ...] = (
    Transition((S.INQUIRY,), "apply", S.APPLIED, _roles(APPLICANT), label=_("Apply")),
    Transition(
        (S.INQUIRY,),
        "close_answered",
        S.ANSWERED,
        _roles(Role.INTAKE),
        label=_("Answered: close the question"),
    ),
    Transition(
        (S.APPLIED,),
        "start_verification",
        S.VERIFYING,
        _roles(Role.VERIFIER),
        label=_("Start verification"),
    ),
    Transition(
        (S.VERIFYING,),
        "verify",
        S.VERIFIED,
        _roles(Role.VERIFIER),
        guard="safepassage.cases.transitions.no_open_manual_probe_flag",
        label=_("Mark verified"),
    ),
    Transition(
        (S.VERIFIED,),
        "set_dormant",
        S.DORMANT,
        _roles(Role.INTAKE, Role.VERIFIER, Role.COORDINATOR),
        label=_("Set dormant"),
    ),
    Transition(
        (S.DORMANT,),
        "reactivate",
        S.VERIFIED,
        _roles(APPLICANT, Role.INTAKE, Role.VERIFIER, Role.COORDINATOR),
        label=_("Reactivate"),
    ),
    # The system schedules the case when the liaison acknowledges the hold-fire notice.
    Transition(
        (S.VERIFIED,),
        "schedule",
        S.SCHEDULED,
        _roles(Role.COORDINATOR, SYSTEM),
        guard="safepassage.passage.rules.hold_fire_acknowledged",
        label=_("Schedule crossing"),
    ),
    Transition(
        (S.SCHEDULED,),
        "unschedule",
        S.VERIFIED,
        _roles(Role.COORDINATOR, SYSTEM),
        label=_("Window missed or withdrawn"),
        effect="safepassage.passage.rules.end_crossing",
    ),
    Transition(
        (S.SCHEDULED,),
        "request_other_time",
        S.VERIFIED,
        _roles(APPLICANT),
        label=_("Ask for another time"),
        effect="safepassage.passage.rules.end_crossing",
    ),
    Transition(
        (S.SCHEDULED,),
        "depart",
        S.IN_TRANSIT,
        _roles(Role.COORDINATOR, Role.LIAISON),
        label=_("Crossing started"),
    ),
    # Outcomes of a crossing; passage.outcomes.record_outcome takes them with the outcome.
    Transition(
        (S.SCHEDULED, S.IN_TRANSIT),
        "turn_back",
        S.VERIFIED,
        _roles(Role.COORDINATOR),
        label=_("Turned back"),
        effect="safepassage.passage.rules.end_crossing",
    ),
    Transition(
        (S.SCHEDULED, S.IN_TRANSIT),
        "arrive",
        S.RECEIVED,
        _roles(Role.LIAISON, Role.RECEPTION, Role.COORDINATOR),
        guard="safepassage.passage.rules.window_has_begun",
        label=_("Arrived"),
        effect="safepassage.passage.rules.arrived",
        taken_by="safepassage.passage.rules.arrived_now",
    ),
    Transition(
        (S.SCHEDULED, S.IN_TRANSIT),
        "record_death",
        S.LOST,
        _roles(Role.COORDINATOR),
        label=_("Killed in the crossing"),
        effect="safepassage.passage.rules.end_crossing",
    ),
    Transition(
        (S.RECEIVED,),
        "register",
        S.REGISTERED,
        _roles(Role.RECEPTION),
        guard="safepassage.reception.rules.prisoner_registered",
        label=_("Register prisoner"),
    ),
    Transition(
        (S.REGISTERED,),
        "choose_pathway",
        S.PATHWAY_CHOSEN,
        _roles(Role.AFTERCARE),
        guard="safepassage.aftercare.rules.pathway_consented",
        label=_("Pathway chosen"),
    ),
    # The person withdrew his consent: back to registered until he chooses again.
    Transition(
        (S.PATHWAY_CHOSEN,),
        "withdraw_pathway",
        S.REGISTERED,
        _roles(Role.AFTERCARE),
        guard="safepassage.aftercare.rules.pathway_withdrawn",
        label=_("Pathway consent withdrawn"),
    ),
    Transition(
        (S.PATHWAY_CHOSEN,),
        "close",
        S.CLOSED,
        _roles(Role.AFTERCARE),
        label=_("Close case"),
    ),
    Transition(
        CANCELLABLE,
        "cancel",
        S.CANCELLED,
        _roles(APPLICANT),
        label=_("Cancel"),
        effect="safepassage.passage.rules.end_crossing",
    ),
    Transition(
        OPEN,
        "reject",
        S.REJECTED,
        _roles(Role.INTAKE, Role.VERIFIER),
        label=_("Reject"),
        effect="safepassage.passage.rules.end_crossing",
    ),
    Transition(
        OPEN,
        "mark_compromised",
        S.COMPROMISED,
        _roles(Role.VERIFIER, Role.COORDINATOR, SYSTEM),
        label=_("Mark compromised"),
        effect="safepassage.passage.rules.end_crossing",
    ),
)
BY_ACTION = {t.action: t for t in TABLE}


@cache
def rule(path: str | None) -> Any:
    """The guard or effect a row names, imported once. `tests/cases/test_transitions.py`
    resolves every row, so a wrong name fails the suite, not a crossing."""
    return import_string(path) if path else None


APPLICANT_ACTIONS = frozenset(t.action for t in TABLE if APPLICANT in t.allowed)


class TransitionRefused(Refused):
    """The action is not possible for this case and actor; `reason` is safe to show."""


def available(case: Case, roles: frozenset[str]) -> list[Transition]:
    """Actions this actor could take now (guards not yet evaluated)."""
    return [t for t in TABLE if case.state in t.sources and t.allowed & roles]


def _checked(action: str, state: str, roles: frozenset[str]) -> Transition:
    """The transition `action` from `state`, or TransitionRefused with a reason to show."""
    transition = BY_ACTION.get(action)
    if transition is None:
        raise TransitionRefused(str(_("Unknown action.")))
    if state not in transition.sources:
        raise TransitionRefused(str(_("This action is not possible in the case's state.")))
    if not transition.allowed & roles:
        raise TransitionRefused(str(_("Your role may not take this action.")))
    return transition


def create_case(case: Case, *, actor: str, action: str = "", roles: frozenset[str]) -> None:
    """Insert a new case in INQUIRY, or, with `action`, already moved on by it (an applicant
    whose first form is an application rather than a question).

    The audit log reads as if the case had been opened and then moved, `case.opened` then
    `case.<action>`, but the case is written once: no re-read and no update inside the
    transaction that every application holds the SQLite writer lock for (`make bench`). Only
    an action without guard or effect can be taken this way: a new case has nothing for
    them to look at yet."""
    transition = _checked(action, State.INQUIRY, roles) if action else None
    if transition is not None and (transition.guard or transition.effect):
        raise ValueError(f"{action} has a guard or an effect; create the case, then perform it")
    case.state = transition.target if transition else State.INQUIRY
    with transaction.atomic(savepoint=False):
        case.save(force_insert=True)
        counts.moved(case.programme_id, None, case.state, case.channel)
        counts.campaign_moved(case, None, case.state)
        steps: list[tuple[Action | CaseMove, dict[str, Any]]] = [(Action.CASE_OPENED, {})]
        if transition is not None:
            moved = {"source": State.INQUIRY, "target": transition.target, "reason_given": False}
            steps.append((case_move(action), moved))
        log.record_case_steps(case, actor, *steps)


def lock(case_id: int) -> Case:
    """The case's row, locked to the end of the transaction. Every writer takes a case's lock
    before its crossing's or prisoner's (docs/LOCK_ORDER.md); taking it again is free."""
    return Case.objects.select_for_update().get(pk=case_id)


def perform(
    case: Case,
    action: str,
    *,
    roles: frozenset[str],
    actor: str,
    reason: str = "",
    now: datetime | None = None,
) -> Case:
    """Take `action` on `case`, or raise TransitionRefused. Audited in the same transaction.
    `now` is what the guards judge by (tests and the demo move it)."""
    if action not in BY_ACTION:
        raise TransitionRefused(str(_("Unknown action.")))
    with transaction.atomic():
        locked = lock(case.pk)
        transition = _checked(action, locked.state, roles)
        guard = rule(transition.guard)
        if guard and (refusal := guard(locked, now or timezone.now())):
            raise TransitionRefused(refusal)
        source = locked.state
        locked.state = transition.target
        if transition.target in ENDED:
            locked.ended_at = timezone.now()
        locked.save(update_fields=["state", "updated_at", "ended_at"])
        counts.moved(locked.programme_id, source, transition.target, locked.channel)
        counts.campaign_moved(locked, source, transition.target)
        log.record_case(
            locked,
            case_move(action),
            actor,
            source=source,
            target=transition.target,
            reason_given=bool(reason),
        )
        if effect := rule(transition.effect):
            effect(locked, action, actor)
    case.state = locked.state
    return locked
