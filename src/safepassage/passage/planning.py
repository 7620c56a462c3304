"""Planning a crossing (sectors and units are configured in `sectors.py`): the risk estimate,
a case's planning constraints, free slots, the suggested options, and what the coordinator's
page reads.
Sending the notice and the liaison's answers live in `notices.py`; how a crossing ends, in
`outcomes.py`; the applicant's instructions, the calibration report and the batch planner in
their own modules.

Every function takes `now` where time matters, so tests move the clock instead of sleeping."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from safepassage.audit import log
from safepassage.audit.actions import Action
from safepassage.cases import casework, dossier, probes
from safepassage.cases.models import Case
from safepassage.cases.states import State
from safepassage.lib.acts import Refused
from safepassage.passage import instructions, learning, plans, risk, windows
from safepassage.passage.models import (
    Crossing,
    PlanningConstraints,
    Sector,
)
from safepassage.passage.recognition import SIGNALS
from safepassage.passage.sectors import sectors_of
from safepassage.programmes.groupkeys import Keyring
from safepassage.vault import crypto

# Crossings whose signal still counts against the no-repeat rule.
SIGNAL_HOLDING = (Crossing.Status.NOTIFIED, Crossing.Status.ACKNOWLEDGED, Crossing.Status.COMPLETED)


class PlanRefused(Refused):
    """The plan cannot be carried out as asked; `reason` is safe to show the coordinator."""


GUIDING_ESCORTS = (Crossing.Escort.DRONE, Crossing.Escort.DRONE_AND_GROUND)


def knowledge_of(sector: Sector) -> learning.Learned:
    """What the sector's outcomes taught, read once per sector object (one GROUP BY)."""
    if "_learned" not in sector.__dict__:
        sector.__dict__["_learned"] = learning.learned(sector)
    known: learning.Learned = sector.__dict__["_learned"]
    return known


def estimates(
    sector: Sector, window: windows.Window, escort: str = Crossing.Escort.DRONE
) -> tuple[risk.Estimate, risk.Estimate]:
    """(without coordination; with an acknowledged notice and an agreed signal, a guiding
    drone when `escort` has one, and what the sector's outcomes taught)."""
    band = window.band
    coordination = risk.GUIDED if escort in GUIDING_ESCORTS else risk.ACKNOWLEDGED
    coordinated = risk.estimate(sector.figures, band, coordinated=coordination)
    return (
        risk.estimate(sector.figures, band, coordinated=False),
        learning.adjusted(coordinated, knowledge_of(sector)),
    )


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


def constraints_of(case: Case, keyring: Keyring) -> Constraints:
    row = PlanningConstraints.objects.filter(case=case).first()
    if row is None or "plan" not in keyring:  # a verifier's session: plans are not his
        return Constraints()
    key = dossier.case_key(case, keyring, "plan")
    if key is None:
        return Constraints()
    data = crypto.decrypt_json(key, bytes(row.encrypted))
    return Constraints(
        sector_ids=tuple(data["sectors"]),
        available_from=date.fromisoformat(data["from"]) if data["from"] else None,
        available_until=date.fromisoformat(data["until"]) if data["until"] else None,
    )


def set_constraints(case: Case, constraints: Constraints, *, user: User, keyring: Keyring) -> None:
    data = {
        "sectors": list(constraints.sector_ids),
        "from": constraints.available_from.isoformat() if constraints.available_from else "",
        "until": constraints.available_until.isoformat() if constraints.available_until else "",
    }
    with transaction.atomic():  # the group's first data key, if made here, goes with the write
        key = dossier.writing_key(case, keyring, "plan")
        PlanningConstraints.objects.update_or_create(
            case=case, defaults={"encrypted": crypto.encrypt_json(key, data)}
        )
        log.record_case(case, Action.PASSAGE_CONSTRAINTS_SET, log.staff_actor(user))


def group_size(case: Case, keyring: Keyring) -> int:
    """How many people he said cross with him, himself included (1 when alone)."""
    facts = dossier.circumstances(case, keyring)
    if facts.get("group") == "group":
        try:
            return max(1, int(facts.get("group_size") or 1))
        except (TypeError, ValueError):
            return 1
    return 1


def head_count(case: Case, keyring: Keyring) -> int:
    """The first crossing's head count: the group, or as many of it as one crossing takes."""
    return min(dossier.MAX_GROUP_SIZE, group_size(case, keyring))


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


def occupancy(programme_id: int, keyring: Keyring, now: datetime) -> Occupancy:
    """The programme's slots, nights and signals already taken, from the plans of its recent
    crossings, opened here with the programme key: the database knows only their nights."""
    since = windows.night_of(now) - timedelta(days=settings.PASSAGE_SIGNAL_REST_DAYS + 1)
    held = Crossing.objects.filter(
        unit__programme_id=programme_id, status__in=SIGNAL_HOLDING, night__gte=since
    ).select_related("unit")
    result = Occupancy()
    keys = plans.keys_in(programme_id, keyring)
    for crossing in plans.opened(held, keys):
        if crossing.plan is None:
            continue
        window = windows.Window(crossing.window_start, crossing.window_end)
        sector_id = crossing.plan.sector_id
        if crossing.status == Crossing.Status.COMPLETED:
            result.signals.setdefault(sector_id, []).append((window.night, crossing.signal))
        else:
            result.add(sector_id, window, crossing.signal)
    return result


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


def options_for(case: Case, keyring: Keyring, now: datetime, limit: int = 8) -> list[Option]:
    """Free slots this case could use, best survival first: the first is the suggestion."""
    constraints = constraints_of(case, keyring)
    sectors = [s for s in sectors_of(case.programme) if constraints.allows_sector(s)]
    taken = occupancy(case.programme_id, keyring, now)
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


def _programme_keys(case: Case, keyring: Keyring) -> plans.Keys:
    return plans.keys_in(case.programme_id, keyring)


def active_crossing(case: Case, keyring: Keyring) -> Crossing | None:
    crossing = case.crossings.filter(status__in=Crossing.ACTIVE).select_related("unit").first()
    return None if crossing is None else plans.open_one(crossing, _programme_keys(case, keyring))


def has_active_crossing(case: Case) -> bool:
    """A notice sent or acknowledged for this case (no key needed: the status is plain)."""
    return case.crossings.filter(status__in=Crossing.ACTIVE).exists()


def crossings_of(case: Case, keyring: Keyring) -> list[Crossing]:
    """Every crossing of the case, newest first, with its plan where it is not destroyed."""
    rows = case.crossings.select_related("unit").order_by("-created_at")
    return plans.opened(rows, _programme_keys(case, keyring))


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


def expected_arrivals(
    programme_ids: list[int], keys: plans.Keys, now: datetime, hours: int = 24
) -> list[Expected]:
    """Acknowledged crossings whose window is under way or starts within `hours`."""
    nights = (
        windows.night_of(now) - timedelta(days=1),
        windows.night_of(now + timedelta(hours=hours)),
    )
    rows = Crossing.objects.filter(
        unit__programme_id__in=programme_ids,
        status=Crossing.Status.ACKNOWLEDGED,
        night__range=nights,
    ).select_related("unit")
    expected = [
        Expected(c.sector.name, c.window_start, c.window_end, c.head_count)
        for c in plans.opened(rows, keys)
        if c.plan is not None
        and c.window_end >= now
        and c.window_start <= now + timedelta(hours=hours)
    ]
    return sorted(expected, key=lambda e: e.window_start)


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
        Action.PASSAGE_PROBE_HOLD_OVERRIDDEN,
        log.staff_actor(user),
        crossing=crossing.pk,
        probe_risk=round(probes.probe_risk(case), 2),
    )


@dataclass(frozen=True)
class PlanningView:
    constraints: Constraints
    head_count: int
    options: list[Option]
    active: Crossing | None
    history: list[Crossing]
    group_size: int  # more than one crossing takes (applied before the limit): plan several
    probe_risk: float
    withheld: bool  # instructions held back for probe risk
    duress: bool  # the duress codename was used and nobody has decided yet


def planning_view(case: Case, *, user: User, keyring: Keyring, now: datetime) -> PlanningView:
    """Everything needed to plan one case; reading where he can cross is audited."""
    learning.count_outcomes(case.programme_id, keyring)
    active = active_crossing(case, keyring)
    view = PlanningView(
        constraints=constraints_of(case, keyring),
        head_count=head_count(case, keyring),
        group_size=group_size(case, keyring),
        options=options_for(case, keyring, now)
        if case.state == State.VERIFIED and "plan" in keyring
        else [],
        active=active,
        history=crossings_of(case, keyring),
        probe_risk=probes.probe_risk(case),
        withheld=bool(active and instructions.withheld_for_probe_risk(case, active)),
        duress=probes.duress_open(case),
    )
    log.record_case(case, Action.CASE_READ, log.staff_actor(user), groups=["planning"])
    return view
