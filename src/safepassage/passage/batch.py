"""Many cases at once: the planner's proposal for every verified case waiting for a crossing,
and sending the notices of a plan the coordinator reviewed."""

from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from safepassage.audit import log
from safepassage.audit.actions import Action
from safepassage.cases import casework
from safepassage.cases.models import Case
from safepassage.cases.states import State
from safepassage.passage import learning, planner, windows
from safepassage.passage.models import Crossing, Sector
from safepassage.passage.notices import send_notice
from safepassage.passage.planning import (
    Option,
    PlanRefused,
    constraints_of,
    estimates,
    head_count,
    occupancy,
)
from safepassage.passage.recognition import SIGNALS
from safepassage.passage.sectors import sectors_of
from safepassage.programmes.groupkeys import Keyring
from safepassage.programmes.models import Programme
from safepassage.programmes.roles import Role


@dataclass(frozen=True)
class Proposal:
    case: Case
    option: Option
    head_count: int


@dataclass(frozen=True)
class BatchPlan:
    proposals: list[Proposal]
    waiting: int  # verified cases without a crossing that the plan considered
    expected_survivors: float
    upper_bound: float
    gap: float


def _candidates(programme: Programme) -> QuerySet[Case]:
    return (
        Case.objects.filter(programme=programme, state=State.VERIFIED, shredded_at__isnull=True)
        .exclude(crossings__status__in=Crossing.ACTIVE)
        .order_by("pk")
    )


def plan_many(programme: Programme, *, user: User, keyring: Keyring, now: datetime) -> BatchPlan:
    """A plan for every verified case waiting for a crossing: who goes where, when, with
    which signal. Nothing is sent until the coordinator confirms (send_notice per case)."""
    sectors = list(sectors_of(programme))
    upcoming = windows.upcoming(now)
    learning.count_outcomes(programme.pk, keyring)
    taken = occupancy(programme.pk, keyring, now)
    slot_info: list[tuple[Sector, windows.Window]] = []
    survival: list[float] = []
    limits: list[planner.Limit] = []
    by_night: dict[tuple[int, date], list[int]] = {}
    for sector in sectors:
        for window in upcoming:
            room = sector.capacity_per_window - taken.per_window[(sector.pk, window.start)]
            if room <= 0:
                continue
            index = len(slot_info)
            slot_info.append((sector, window))
            survival.append(estimates(sector, window)[1].survival)
            limits.append(planner.Limit((index,), room))
            by_night.setdefault((sector.pk, window.night), []).append(index)
    nights = sorted({w.night for w in upcoming})
    rest = settings.PASSAGE_SIGNAL_REST_DAYS
    for sector in sectors:
        for night in nights:
            if members := by_night.get((sector.pk, night)):
                room = sector.crossings_per_night - taken.per_night[(sector.pk, night)]
                limits.append(planner.Limit(tuple(members), max(0, room)))
        # No signal twice in a sector within N days: in any N nights the sector takes at most
        # as many new crossings as it has signals not resting there.
        for first in nights:
            span = [n for n in nights if 0 <= (n - first).days < rest]
            members = [i for n in span for i in by_night.get((sector.pk, n), [])]
            if members:
                free = len(SIGNALS) - len(taken.signals_resting(sector.pk, first))
                limits.append(planner.Limit(tuple(members), max(0, free)))

    waiting = list(_candidates(programme).select_related("programme"))
    candidates = []
    heads: dict[int, int] = {}
    for case in waiting:
        constraints = constraints_of(case, keyring)
        heads[case.pk] = head_count(case, keyring)
        feasible = tuple(
            index
            for index, (sector, window) in enumerate(slot_info)
            if constraints.allows(sector, window)
        )
        candidates.append(planner.Candidate(case.pk, heads[case.pk], feasible))
    result = planner.plan(candidates, survival, limits)

    # Signals, in window order, so each takes one not resting in its sector.
    by_pk = {case.pk: case for case in waiting}
    proposals = []
    expected = 0.0
    for case_pk, index in sorted(
        result.assignments.items(), key=lambda a: slot_info[a[1]][1].start
    ):
        sector, window = slot_info[index]
        signal = taken.free_signal(sector.pk, window.night)
        if signal is None:
            continue  # rare: the N-day limits are per block of nights; never repeat a signal
        taken.add(sector.pk, window, signal)
        without, with_ = estimates(sector, window)
        proposals.append(
            Proposal(by_pk[case_pk], Option(sector, window, signal, without, with_), heads[case_pk])
        )
        expected += heads[case_pk] * with_.survival
    gap = 0.0 if result.upper_bound <= 0 else max(0.0, 1 - expected / result.upper_bound)
    log.record(
        Action.PASSAGE_PLANNER_RUN,
        log.staff_actor(user),
        programme_id=programme.pk,
        cases=len(waiting),
        proposed=len(proposals),
    )
    return BatchPlan(proposals, len(waiting), expected, result.upper_bound, gap)


@dataclass(frozen=True)
class PlanSent:
    sent: int
    refused: list[str]  # one translated reason per line not sent


def send_plan(
    programme: Programme, lines: list[str], *, user: User, keyring: Keyring, now: datetime
) -> PlanSent:
    """Send the notices of a plan the coordinator reviewed. Each line is one proposal as the
    planner page wrote it (`case|sector|window|signal|heads`) and is checked again by
    `send_notice`, each in its own transaction: one refusal does not hold back the rest."""
    sent, refused = 0, []
    for line in lines:
        parts = line.split("|")
        found = (
            casework.case_in({programme.pk: frozenset({Role.COORDINATOR})}, parts[0])
            if len(parts) == 5
            else None
        )
        case = found[0] if found else None
        if case is None or not parts[1].isdigit() or not parts[4].isdigit():
            refused.append(_("A line of the plan could not be read."))
            continue
        try:
            send_notice(
                case,
                user=user,
                keyring=keyring,
                sector_id=int(parts[1]),
                window_key=parts[2],
                signal=parts[3],
                escort=Crossing.Escort.DRONE,
                head_count=int(parts[4]),
                now=now,
            )
            sent += 1
        except PlanRefused as why:
            refused.append(f"{case.reference}: {why.reason}")
    return PlanSent(sent, refused)
