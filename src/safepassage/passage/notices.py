"""The hold-fire notice: the coordinator sends it, the receiving unit's liaison acknowledges
or declines it and reports the arrival, and the worker expires what nobody answered in time.
Each writer locks the crossing row (see docs/LOCK_ORDER.md) and audits in its transaction;
the liaison's queries select no case field, so a liaison never learns who is coming."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from safepassage.audit import log
from safepassage.audit.actions import Action
from safepassage.cases import transitions
from safepassage.cases.models import Case
from safepassage.cases.states import State
from safepassage.passage import windows
from safepassage.passage.models import Crossing, Sector
from safepassage.passage.outcomes import record_arrival
from safepassage.passage.recognition import SIGNALS
from safepassage.passage.services import PlanRefused, estimates, occupancy
from safepassage.programmes.roles import Role


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
    locked = transitions.lock(case.pk)
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
    without, with_ = estimates(sector, window, escort)
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
    # The crossing's number only: the entry must not repeat where and when (issue #16).
    log.record_case(locked, Action.PASSAGE_NOTICE_SENT, log.staff_actor(user), crossing=crossing.pk)
    return crossing


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


def _locked(crossing_id: int, case_id: int) -> Crossing:
    """The crossing, locked after its case (docs/LOCK_ORDER.md: case before crossing, as
    `transitions.perform` and its effects take them), so no two writers wait on each other."""
    transitions.lock(case_id)
    return Crossing.objects.select_for_update().select_related("case", "sector").get(pk=crossing_id)


def _liaison_notice(user: User, crossing_id: int) -> Crossing:
    case_id = (
        Crossing.objects.filter(pk=crossing_id, sector__in=liaison_sectors(user))
        .values_list("case_id", flat=True)
        .first()
    )
    if case_id is None:
        raise Crossing.DoesNotExist
    return _locked(crossing_id, case_id)


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
    log.record_case(crossing.case, Action.PASSAGE_NOTICE_ACKNOWLEDGED, actor, crossing=crossing.pk)
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
        crossing.case, Action.PASSAGE_NOTICE_DECLINED, log.staff_actor(user), crossing=crossing.pk
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


@dataclass(frozen=True)
class Expired:
    unanswered: int  # notices never acknowledged before their window began
    missed: int  # acknowledged windows that passed with no outcome: back to verified


def expire(now: datetime) -> Expired:
    """Withdraw notices whose time has passed. Run by the worker every five minutes. Each
    crossing in a transaction of its own, its case locked first, then the crossing, looked at
    again under the lock (a liaison may have answered meanwhile)."""
    grace = timedelta(hours=settings.PASSAGE_MISSED_GRACE_HOURS)
    unanswered = Crossing.objects.filter(status=Crossing.Status.NOTIFIED, window_start__lte=now)
    missed = Crossing.objects.filter(
        status=Crossing.Status.ACKNOWLEDGED, window_end__lte=now - grace
    )
    expired = Expired(0, 0)
    for crossing_id, case_id in list(unanswered.values_list("pk", "case_id")):
        with transaction.atomic():
            crossing = _locked(crossing_id, case_id)
            if crossing.status == Crossing.Status.NOTIFIED:
                crossing.status = Crossing.Status.EXPIRED
                crossing.closed_reason = "unanswered"
                crossing.save(update_fields=["status", "closed_reason"])
                log.record_case(
                    crossing.case, Action.PASSAGE_NOTICE_EXPIRED, log.SYSTEM, crossing=crossing.pk
                )
                expired = Expired(expired.unanswered + 1, expired.missed)
    for crossing_id, case_id in list(missed.values_list("pk", "case_id")):
        with transaction.atomic():
            crossing = _locked(crossing_id, case_id)
            if crossing.status != Crossing.Status.ACKNOWLEDGED:
                continue
            expired = Expired(expired.unanswered, expired.missed + 1)
            crossing.closed_reason = "window_missed"
            if crossing.case.state == State.SCHEDULED:
                # The transition's effect withdraws the notice; say why first.
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
                crossing.save(update_fields=["status", "closed_reason"])
    return expired
