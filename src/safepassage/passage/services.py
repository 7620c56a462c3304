"""The rules of a crossing: plan it, notify the receiving unit, record what happened. Plain
functions that views, commands and the transition table call. The applicant's instructions,
the calibration report and the batch planner live in their own modules.

Every function takes `now` where time matters, so tests move the clock instead of sleeping.
Still over 400 lines because the liaison's writers and the endings share the crossing's
locking; splitting them into `notices.py` and `outcomes.py` is the next step (issue #15).
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.forms import ModelForm
from django.utils import timezone
from django.utils.translation import gettext as _

from safepassage import display
from safepassage.audit import log
from safepassage.cases import casework, dossier, probes, transitions
from safepassage.cases.models import Case
from safepassage.cases.states import State
from safepassage.passage import instructions, risk, windows
from safepassage.passage.models import Crossing, PlanningConstraints, ReceivingUnit, Sector
from safepassage.passage.recognition import SIGNALS
from safepassage.programmes.models import Programme
from safepassage.programmes.roles import Role
from safepassage.reception import services as reception
from safepassage.refused import Refused
from safepassage.vault import crypto

# Crossings whose signal still counts against the no-repeat rule.
SIGNAL_HOLDING = (Crossing.Status.NOTIFIED, Crossing.Status.ACKNOWLEDGED, Crossing.Status.COMPLETED)
OUTCOME_OF_ACTION = {
    "arrive": Crossing.Outcome.ARRIVED,
    "turn_back": Crossing.Outcome.TURNED_BACK,
    "record_death": Crossing.Outcome.KILLED,
}


class PlanRefused(Refused):
    """The plan cannot be carried out as asked; `reason` is safe to show the coordinator."""


# --- Sectors and the risk estimate ----------------------------------------------------------


def sectors_of(programme: Programme, *, active_only: bool = True) -> QuerySet[Sector]:
    sectors = Sector.objects.filter(programme=programme).select_related("receiving_unit")
    return sectors.filter(active=True) if active_only else sectors


@transaction.atomic
def save_configuration(
    form: "ModelForm[Sector] | ModelForm[ReceivingUnit]", programme: Programme, *, user: User
) -> Sector | ReceivingUnit:
    """An admin's edit of a sector or a receiving unit, saved with its audit entry."""
    saved = form.save()
    log.record(
        f"passage.{saved._meta.model_name}_saved",
        log.staff_actor(user),
        programme_id=programme.pk,
        id=saved.pk,
    )
    return saved


def units_of(programme: Programme) -> QuerySet[ReceivingUnit]:
    return ReceivingUnit.objects.filter(programme=programme).order_by("name")


def estimates(sector: Sector, window: windows.Window) -> tuple[risk.Estimate, risk.Estimate]:
    """(without coordination, with an acknowledged notice and an agreed signal)."""
    band = window.band
    return (
        risk.estimate(sector.figures, band, coordinated=False),
        risk.estimate(sector.figures, band, coordinated=True),
    )


# --- Planning constraints of one case -------------------------------------------------------


@dataclass(frozen=True)
class Constraints:
    """Where and when a case can cross. Empty sectors means any active sector."""

    sector_ids: tuple[int, ...] = ()
    available_from: date | None = None
    available_until: date | None = None

    def allows_sector(self, sector: Sector) -> bool:
        return not self.sector_ids or sector.pk in self.sector_ids

    def allows(self, sector: Sector, window: windows.Window) -> bool:
        if not self.allows_sector(sector):
            return False
        night = window.night
        if self.available_from and night < self.available_from:
            return False
        return not (self.available_until and night > self.available_until)


def constraints_of(case: Case, private_key: bytes) -> Constraints:
    row = PlanningConstraints.objects.filter(case=case).first()
    key = dossier.case_key(case, private_key)
    if row is None or key is None:
        return Constraints()
    data = crypto.decrypt_json(key, bytes(row.encrypted))
    return Constraints(
        sector_ids=tuple(data["sectors"]),
        available_from=date.fromisoformat(data["from"]) if data["from"] else None,
        available_until=date.fromisoformat(data["until"]) if data["until"] else None,
    )


def set_constraints(
    case: Case, constraints: Constraints, *, user: User, private_key: bytes
) -> None:
    key = dossier.case_key(case, private_key)
    if key is None:
        raise dossier.CaseShredded
    data = {
        "sectors": list(constraints.sector_ids),
        "from": constraints.available_from.isoformat() if constraints.available_from else "",
        "until": constraints.available_until.isoformat() if constraints.available_until else "",
    }
    with transaction.atomic():
        PlanningConstraints.objects.update_or_create(
            case=case, defaults={"encrypted": crypto.encrypt_json(key, data)}
        )
        log.record_case(case, "passage.constraints_set", log.staff_actor(user))


def head_count(case: Case, private_key: bytes) -> int:
    facts = dossier.circumstances(case, private_key)
    if facts.get("group") == "group":
        try:
            return max(1, min(50, int(facts.get("group_size") or 1)))
        except (TypeError, ValueError):
            return 1
    return 1


# --- Slots: what is still free ----------------------------------------------------------------


@dataclass
class Occupancy:
    """Crossings already holding slots, nights and signals in some sectors."""

    per_window: Counter[tuple[int, datetime]] = field(default_factory=Counter)
    per_night: Counter[tuple[int, date]] = field(default_factory=Counter)
    signals: dict[int, list[tuple[date, str]]] = field(default_factory=dict)

    def add(self, sector_id: int, window: windows.Window, signal: str) -> None:
        self.per_window[(sector_id, window.start)] += 1
        self.per_night[(sector_id, window.night)] += 1
        self.signals.setdefault(sector_id, []).append((window.night, signal))

    def room(self, sector: Sector, window: windows.Window) -> int:
        return min(
            sector.capacity_per_window - self.per_window[(sector.pk, window.start)],
            sector.crossings_per_night - self.per_night[(sector.pk, window.night)],
        )

    def signals_resting(self, sector_id: int, night: date) -> set[str]:
        """Signals used in this sector within PASSAGE_SIGNAL_REST_DAYS of that night."""
        rest = settings.PASSAGE_SIGNAL_REST_DAYS
        return {s for n, s in self.signals.get(sector_id, []) if abs((n - night).days) < rest}

    def free_signal(self, sector_id: int, night: date) -> str | None:
        resting = self.signals_resting(sector_id, night)
        return next((key for key in SIGNALS if key not in resting), None)


def occupancy(sectors: list[Sector], now: datetime) -> Occupancy:
    rest = timedelta(days=settings.PASSAGE_SIGNAL_REST_DAYS + 1)
    held = Crossing.objects.filter(
        sector__in=sectors,
        status__in=SIGNAL_HOLDING,
        window_start__gte=now - rest,
    ).values_list("sector_id", "window_start", "window_end", "signal", "status")
    result = Occupancy()
    for sector_id, start, end, signal, status in held:
        window = windows.Window(start, end)
        if status == Crossing.Status.COMPLETED:
            result.signals.setdefault(sector_id, []).append((window.night, signal))
        else:
            result.add(sector_id, window, signal)
    return result


# --- One case: the suggestion and the coordinator's choice ----------------------------------


@dataclass(frozen=True)
class Option:
    sector: Sector
    window: windows.Window
    signal: str
    uncoordinated: risk.Estimate
    coordinated: risk.Estimate

    @property
    def signal_title(self) -> str:
        return str(SIGNALS[self.signal].title)


def options_for(case: Case, private_key: bytes, now: datetime, limit: int = 8) -> list[Option]:
    """Free slots this case could use, best survival first: the first is the suggestion."""
    constraints = constraints_of(case, private_key)
    sectors = [s for s in sectors_of(case.programme) if constraints.allows_sector(s)]
    taken = occupancy(sectors, now)
    found = []
    for sector in sectors:
        for window in windows.upcoming(now):
            if not constraints.allows(sector, window) or taken.room(sector, window) <= 0:
                continue
            signal = taken.free_signal(sector.pk, window.night)
            if signal is None:
                continue
            without, with_ = estimates(sector, window)
            found.append(Option(sector, window, signal, without, with_))
    found.sort(key=lambda o: (-o.coordinated.survival, o.window.start))
    return found[:limit]


def active_crossing(case: Case) -> Crossing | None:
    return case.crossings.filter(status__in=Crossing.ACTIVE).select_related("sector").first()


def crossings_of(case: Case) -> QuerySet[Crossing]:
    return case.crossings.select_related("sector").order_by("-created_at")


def needing_a_new_plan(programme_ids: list[int], limit: int = 50) -> QuerySet[Crossing]:
    """Crossings the coordinator must act on: declined by the unit, or called off because the
    applicant asked for another time, while the case waits, verified, with no newer plan."""
    newer = Crossing.objects.filter(case=OuterRef("case"), pk__gt=OuterRef("pk"))
    return (
        Crossing.objects.filter(case__programme_id__in=programme_ids, case__state=State.VERIFIED)
        .filter(
            Q(status=Crossing.Status.DECLINED)
            | Q(status=Crossing.Status.WITHDRAWN, closed_reason="request_other_time")
        )
        .exclude(Exists(newer))
        .select_related("case")
        .order_by("created_at")[:limit]
    )


@dataclass(frozen=True)
class Expected:
    """A crossing reception should be ready for: where, when and how many. Never who."""

    sector: str
    window_start: datetime
    window_end: datetime
    head_count: int


def expected_arrivals(programme_ids: list[int], now: datetime, hours: int = 24) -> list[Expected]:
    """Acknowledged crossings whose window is under way or starts within `hours`."""
    rows = (
        Crossing.objects.filter(
            case__programme_id__in=programme_ids,
            status=Crossing.Status.ACKNOWLEDGED,
            window_end__gte=now,
            window_start__lte=now + timedelta(hours=hours),
        )
        .order_by("window_start")
        .values_list("sector__name", "window_start", "window_end", "head_count")
    )
    return [Expected(*row) for row in rows]


def has_acknowledged_notice(case: Case) -> bool:
    return case.crossings.filter(status=Crossing.Status.ACKNOWLEDGED).exists()


@transaction.atomic
def send_notice(
    case: Case,
    *,
    user: User,
    sector_id: int,
    window_key: str,
    signal: str,
    escort: str,
    head_count: int,
    now: datetime,
) -> Crossing:
    """Plan the crossing and send the hold-fire notice to the sector's receiving unit."""
    # The sector row is locked so two coordinators cannot both take its last place.
    sector = (
        Sector.objects.select_for_update()
        .filter(pk=sector_id, programme_id=case.programme_id, active=True)
        .first()
    )
    window = windows.by_key(now, window_key)
    locked = Case.objects.select_for_update().get(pk=case.pk)
    if locked.state != State.VERIFIED:
        raise PlanRefused(_("Only a verified case can be planned."))
    if sector is None:
        raise PlanRefused(_("Choose one of the programme's sectors."))
    if window is None:
        raise PlanRefused(_("That window is no longer open for planning. Choose another."))
    if signal not in SIGNALS:
        raise PlanRefused(_("Choose a signal from the library."))
    if escort not in Crossing.Escort.values:
        raise PlanRefused(_("Choose an escort."))
    if not 1 <= head_count <= 50:
        raise PlanRefused(_("The head count must be between 1 and 50."))
    taken = occupancy([sector], now)
    if taken.room(sector, window) <= 0:
        raise PlanRefused(_("This sector has no room left in that window or that night."))
    if signal in taken.signals_resting(sector.pk, window.night):
        raise PlanRefused(_("That signal was used in this sector too recently. Choose another."))
    without, with_ = estimates(sector, window)
    try:
        crossing = Crossing.objects.create(
            case=locked,
            sector=sector,
            window_start=window.start,
            window_end=window.end,
            signal=signal,
            escort=escort,
            head_count=head_count,
            survival_uncoordinated=without.survival,
            survival_coordinated=with_.survival,
            created_by=user,
        )
    except IntegrityError as exc:
        raise PlanRefused(_("This case already has a crossing in preparation.")) from exc
    log.record_case(
        locked,
        "passage.notice_sent",
        log.staff_actor(user),
        crossing=crossing.pk,
        sector=sector.pk,
        window=window.key,
    )
    return crossing


# --- The receiving unit's liaison -----------------------------------------------------------


def liaison_sectors(user: User) -> QuerySet[Sector]:
    """Sectors whose receiving unit lists this person, in programmes where they are liaison."""
    return Sector.objects.filter(
        receiving_unit__liaisons=user,
        programme__membership__user=user,
        programme__membership__role=Role.LIAISON,
    ).distinct()


def notices_for(user: User, now: datetime) -> QuerySet[Crossing]:
    """Notices of this liaison's sectors: live ones, and those closed in the last day, so a
    withdrawal is seen. The query selects no case field: a liaison never learns who."""
    recent = now - timedelta(hours=24)
    return (
        Crossing.objects.filter(sector__in=liaison_sectors(user), window_end__gte=recent)
        .select_related("sector")
        .order_by("window_start", "pk")
    )


def _liaison_notice(user: User, crossing_id: int) -> Crossing:
    crossing = (
        Crossing.objects.select_for_update()
        .filter(pk=crossing_id, sector__in=liaison_sectors(user))
        .select_related("case", "sector")
        .first()
    )
    if crossing is None:
        raise Crossing.DoesNotExist
    return crossing


@transaction.atomic
def acknowledge(crossing_id: int, *, user: User, now: datetime) -> Crossing:
    """The receiving unit will hold fire. The case becomes scheduled in the same transaction."""
    crossing = _liaison_notice(user, crossing_id)
    if crossing.status != Crossing.Status.NOTIFIED:
        raise PlanRefused(_("This notice is no longer waiting for an answer."))
    if crossing.window_start <= now:
        raise PlanRefused(
            _("The window has already begun; the notice can no longer be acknowledged.")
        )
    crossing.status = Crossing.Status.ACKNOWLEDGED
    crossing.responded_at, crossing.responded_by = now, user
    crossing.save(update_fields=["status", "responded_at", "responded_by"])
    actor = log.staff_actor(user)
    log.record_case(crossing.case, "passage.notice_acknowledged", actor, crossing=crossing.pk)
    transitions.perform(crossing.case, "schedule", roles=transitions.SYSTEM_ROLES, actor=actor)
    return crossing


@transaction.atomic
def decline(crossing_id: int, *, user: User, reason: str, now: datetime) -> Crossing:
    crossing = _liaison_notice(user, crossing_id)
    if crossing.status != Crossing.Status.NOTIFIED:
        raise PlanRefused(_("This notice is no longer waiting for an answer."))
    crossing.status = Crossing.Status.DECLINED
    crossing.responded_at, crossing.responded_by = now, user
    crossing.decline_reason = reason
    crossing.save(update_fields=["status", "responded_at", "responded_by", "decline_reason"])
    log.record_case(
        crossing.case, "passage.notice_declined", log.staff_actor(user), crossing=crossing.pk
    )
    return crossing


@transaction.atomic
def report_arrival(
    crossing_id: int, *, user: User, arrived_at: datetime | None = None, now: datetime
) -> Crossing:
    """The liaison saw the person arrive: the case is received."""
    crossing = _liaison_notice(user, crossing_id)
    if crossing.status != Crossing.Status.ACKNOWLEDGED:
        raise PlanRefused(_("Only an acknowledged crossing can be reported as arrived."))
    record_arrival(
        crossing.case,
        arrived_at=arrived_at or now,
        user=user,
        roles=frozenset({Role.LIAISON}),
        now=now,
    )
    crossing.refresh_from_db()
    return crossing


def _arriving_crossing(case: Case) -> Crossing | None:
    return (
        case.crossings.filter(status=Crossing.Status.ACKNOWLEDGED).first()
        or case.crossings.filter(outcome=Crossing.Outcome.MISSING).order_by("-pk").first()
    )


def earliest_arrival(crossing: Crossing) -> datetime:
    return crossing.window_start - timedelta(minutes=settings.PASSAGE_ARRIVAL_GRACE_MINUTES)


def arrival_refusal(case: Case, moment: datetime) -> str | None:
    """Why an arrival at `moment` cannot be recorded for this case, or None. The guard of the
    table's `arrive` row, so no path (liaison, coordinator, reception) records one early."""
    crossing = _arriving_crossing(case)
    if crossing is None:
        return _("This case has no acknowledged crossing to arrive from.")
    if moment < earliest_arrival(crossing):
        return _("The window has not begun yet: an arrival can be recorded from %(time)s.") % {
            "time": display.moment(earliest_arrival(crossing), display.window_zone())
        }
    return None


@transaction.atomic
def record_arrival(
    case: Case, *, arrived_at: datetime, user: User, roles: frozenset[Role], now: datetime
) -> Case:
    """He is across, at the reported time `arrived_at` (the capture time on his card): not in
    the future, not before the window. The case becomes received."""
    if arrived_at > now:
        raise PlanRefused(_("The arrival time cannot be in the future."))
    if refusal := arrival_refusal(case, arrived_at):
        raise PlanRefused(refusal)
    # The capture is written first, at the reported time; the transition's effect finds it.
    reception.record_capture(case, at=arrived_at)
    try:
        return transitions.perform(
            case, "arrive", roles=roles, actor=log.staff_actor(user), now=now
        )
    except transitions.TransitionRefused as refused:
        raise PlanRefused(refused.reason) from refused


# --- Endings: outcomes, withdrawals, expiry --------------------------------------------------


def end_crossing(case: Case, *, action: str, actor: str) -> None:
    """Called by the transition table: record the outcome `action` means, or withdraw the
    notice. A crossing recorded as missing can still end in another outcome."""
    crossing = (
        case.crossings.filter(status__in=Crossing.ACTIVE).first()
        or case.crossings.filter(outcome=Crossing.Outcome.MISSING).order_by("-pk").first()
    )
    if crossing is None:
        return
    if action in OUTCOME_OF_ACTION:
        _complete(crossing, OUTCOME_OF_ACTION[action], actor)
    elif crossing.is_active:
        crossing.status = Crossing.Status.WITHDRAWN
        crossing.closed_reason = crossing.closed_reason or action
        crossing.save(update_fields=["status", "closed_reason"])
        log.record_case(
            case, "passage.notice_withdrawn", actor, crossing=crossing.pk, reason=action
        )


def _complete(crossing: Crossing, outcome: str, actor: str) -> None:
    crossing.status = Crossing.Status.COMPLETED
    crossing.outcome = outcome
    crossing.outcome_at = timezone.now()
    crossing.save(update_fields=["status", "outcome", "outcome_at"])
    log.record_case(crossing.case, "passage.outcome", actor, crossing=crossing.pk, outcome=outcome)


# What each outcome does to the case, taken through the transition table.
OUTCOME_ACTIONS: dict[str, str] = {
    Crossing.Outcome.ARRIVED: "arrive",
    Crossing.Outcome.TURNED_BACK: "turn_back",
    Crossing.Outcome.KILLED: "record_death",
    Crossing.Outcome.CAPTURED: "mark_compromised",
    Crossing.Outcome.MISSING: "depart",
}


# Outcomes after which nothing more happens with the case: each needs a reason.
CASE_ENDING_OUTCOMES = frozenset({Crossing.Outcome.KILLED, Crossing.Outcome.CAPTURED})


@transaction.atomic
def record_outcome(
    case: Case,
    outcome: str,
    *,
    user: User,
    roles: frozenset[Role],
    now: datetime,
    arrived_at: datetime | None = None,
    reason: str = "",
) -> Case:
    """What happened in the crossing window. Missing leaves the case in transit, so a later
    report (arrived, killed) can still be recorded. An arrival carries its reported time; an
    outcome that ends the case carries the reason, kept as a staff note."""
    if outcome not in OUTCOME_ACTIONS:
        raise PlanRefused(_("Choose an outcome."))
    if outcome in CASE_ENDING_OUTCOMES and not reason:
        raise PlanRefused(_("Give the reason: it is kept with the case."))
    if reason:
        casework.add_note(case, user=user, text=reason)
    if outcome == Crossing.Outcome.ARRIVED:
        return record_arrival(case, arrived_at=arrived_at or now, user=user, roles=roles, now=now)
    actor = log.staff_actor(user)
    crossing = (
        case.crossings.select_for_update().filter(status=Crossing.Status.ACKNOWLEDGED).first()
        or case.crossings.filter(outcome=Crossing.Outcome.MISSING).order_by("-pk").first()
    )
    if crossing is None:
        raise PlanRefused(_("This case has no acknowledged crossing to record an outcome for."))
    if outcome in (Crossing.Outcome.CAPTURED, Crossing.Outcome.MISSING):
        # These two do not end through OUTCOME_OF_ACTION: record them first.
        _complete(crossing, outcome, actor)
    action = OUTCOME_ACTIONS[outcome]
    if outcome == Crossing.Outcome.MISSING and case.state == State.IN_TRANSIT:
        return case
    try:
        return transitions.perform(case, action, roles=roles, actor=actor)
    except transitions.TransitionRefused as refused:
        raise PlanRefused(refused.reason) from refused


@dataclass(frozen=True)
class Expired:
    unanswered: int  # notices never acknowledged before their window began
    missed: int  # acknowledged windows that passed with no outcome: back to verified


@transaction.atomic
def expire(now: datetime) -> Expired:
    """Withdraw notices whose time has passed. Run by `safepassage passage-expire` on a
    schedule, and before the liaison and coordinator pages are shown."""
    unanswered = list(
        Crossing.objects.select_for_update()
        .filter(status=Crossing.Status.NOTIFIED, window_start__lte=now)
        .select_related("case")
    )
    for crossing in unanswered:
        crossing.status = Crossing.Status.EXPIRED
        crossing.closed_reason = "unanswered"
        crossing.save(update_fields=["status", "closed_reason"])
        log.record_case(crossing.case, "passage.notice_expired", log.SYSTEM, crossing=crossing.pk)
    grace = timedelta(hours=settings.PASSAGE_MISSED_GRACE_HOURS)
    missed = list(
        Crossing.objects.select_for_update()
        .filter(status=Crossing.Status.ACKNOWLEDGED, window_end__lte=now - grace)
        .select_related("case")
    )
    for crossing in missed:
        if crossing.case.state == State.SCHEDULED:
            # The transition's effect withdraws the notice; say why first.
            crossing.closed_reason = "window_missed"
            crossing.save(update_fields=["closed_reason"])
            transitions.perform(
                crossing.case,
                "unschedule",
                roles=transitions.SYSTEM_ROLES,
                actor=log.SYSTEM,
                reason="window_missed",
            )
        else:
            crossing.status = Crossing.Status.EXPIRED
            crossing.closed_reason = "window_missed"
            crossing.save(update_fields=["status", "closed_reason"])
    return Expired(len(unanswered), len(missed))


# --- A verifier releases held instructions -----------------------------------------------


@transaction.atomic
def override_probe_hold(case: Case, *, user: User, reason: str) -> None:
    """A verifier releases the instructions of a case with probe signals: audited, with the
    reason kept as a staff note."""
    crossing = case.crossings.select_for_update().filter(status__in=Crossing.ACTIVE).first()
    if crossing is None:
        raise PlanRefused(_("This case has no crossing in preparation."))
    crossing.instructions_override_by = user
    crossing.save(update_fields=["instructions_override_by"])
    casework.add_note(case, user=user, text=reason)
    log.record_case(
        case,
        "passage.probe_hold_overridden",
        log.staff_actor(user),
        crossing=crossing.pk,
        probe_risk=round(probes.probe_risk(case), 2),
    )


# --- What the coordinator's crossing page shows ---------------------------------------------


@dataclass(frozen=True)
class PlanningView:
    constraints: Constraints
    head_count: int
    options: list[Option]
    active: Crossing | None
    history: list[Crossing]
    probe_risk: float
    withheld: bool  # instructions held back for probe risk


def planning_view(case: Case, *, user: User, private_key: bytes, now: datetime) -> PlanningView:
    """Everything needed to plan one case; reading where he can cross is audited."""
    active = active_crossing(case)
    view = PlanningView(
        constraints=constraints_of(case, private_key),
        head_count=head_count(case, private_key),
        options=options_for(case, private_key, now) if case.state == State.VERIFIED else [],
        active=active,
        history=list(crossings_of(case)),
        probe_risk=probes.probe_risk(case),
        withheld=bool(active and instructions.withheld_for_probe_risk(case, active)),
    )
    log.record_case(case, "case.read", log.staff_actor(user), groups=["planning"])
    return view
