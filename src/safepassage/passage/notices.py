"""The hold-fire notice: the coordinator sends it, the receiving unit's liaison acknowledges
or declines it and reports the arrival, and the worker expires what nobody answered in time.
Each writer locks the crossing row (see docs/LOCK_ORDER.md) and audits in its transaction;
the liaison's queries select no case field, so a liaison never learns who is coming, and he
reads the plan with his unit's key (plans.py), never the programme key."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from safepassage.audit import log
from safepassage.audit.actions import Action
from safepassage.cases import dossier, transitions
from safepassage.cases.models import Case
from safepassage.cases.states import State
from safepassage.passage import plans, windows
from safepassage.passage.models import Crossing, ReceivingUnit, Sector
from safepassage.passage.outcomes import record_arrival
from safepassage.passage.plan_contents import Plan
from safepassage.passage.planning import PlanRefused, estimates, occupancy
from safepassage.passage.recognition import SIGNALS
from safepassage.programmes.groupkeys import Keyring
from safepassage.programmes.roles import Role


def has_acknowledged_notice(case: Case) -> bool:
    return case.crossings.filter(status=Crossing.Status.ACKNOWLEDGED).exists()


@transaction.atomic
def send_notice(
    case: Case,
    *,
    user: User,
    keyring: Keyring,
    sector_id: int,
    window_key: str,
    signal: str,
    escort: str,
    head_count: int,
    now: datetime,
) -> Crossing:
    """Plan the crossing and send the hold-fire notice to the sector's receiving unit. The
    plan is sealed (plans.py); opening what is already planned needs the programme key."""
    # The sector row is locked so two coordinators cannot both take its last place.
    sector = (
        Sector.objects.select_for_update()
        .select_related("receiving_unit__programme")
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
    case_key = dossier.case_key(locked, keyring, "messages")
    if case_key is None:
        raise PlanRefused(_("This case's data has been destroyed."))
    taken = occupancy(case.programme_id, keyring, now)
    if taken.room(sector, window) <= 0:
        raise PlanRefused(_("This sector has no room left in that window or that night."))
    if signal in taken.signals_resting(sector.pk, window.night):
        raise PlanRefused(_("That signal was used in this sector too recently. Choose another."))
    without, with_ = estimates(sector, window, escort)
    plan = Plan(
        sector_id=sector.pk,
        window_start=window.start,
        window_end=window.end,
        signal=signal,
        escort=escort,
        head_count=head_count,
        survival_uncoordinated=without.survival,
        survival_coordinated=with_.survival,
    )
    unit = plans.unit_for_sealing(sector.receiving_unit, keyring, by=user)
    crossing = Crossing(case=locked, unit=unit, night=window.night, created_by=user)
    plans.seal(crossing, plan, unit=unit, case_key=case_key)
    try:
        with transaction.atomic():
            crossing.save()
    except IntegrityError as exc:
        raise PlanRefused(_("This case already has a crossing in preparation.")) from exc
    # The crossing's number only: the entry must not repeat where and when (issue #16).
    log.record_case(locked, Action.PASSAGE_NOTICE_SENT, log.staff_actor(user), crossing=crossing.pk)
    crossing.plan, crossing.planned_sector = plan, sector
    return crossing


def liaison_units(user: User) -> QuerySet[ReceivingUnit]:
    """Receiving units that list this person, in programmes where they are liaison."""
    return ReceivingUnit.objects.filter(
        liaisons=user,
        programme__membership__user=user,
        programme__membership__role=Role.LIAISON,
    ).distinct()


def notices_for(user: User, keys: plans.Keys, now: datetime) -> list[Crossing]:
    """Notices of this liaison's units that his unit keys open: live ones, and those closed
    in the last day, so a withdrawal is seen. The query selects no case field: a liaison
    never learns who."""
    recent = now - timedelta(hours=24)
    since_night = windows.night_of(recent) - timedelta(days=1)
    rows = Crossing.objects.filter(unit__in=liaison_units(user), night__gte=since_night)
    shown = [
        crossing
        for crossing in plans.opened(rows.select_related("unit"), keys)
        if crossing.plan is not None and crossing.window_end >= recent
    ]
    return sorted(shown, key=lambda crossing: (crossing.window_start, crossing.pk))


def _locked(crossing_id: int, case_id: int) -> Crossing:
    """The crossing, locked after its case (docs/LOCK_ORDER.md: case before crossing, as
    `transitions.perform` and its effects take them), so no two writers wait on each other."""
    transitions.lock(case_id)
    return Crossing.objects.select_for_update().select_related("case", "unit").get(pk=crossing_id)


def _liaison_notice(user: User, crossing_id: int, keys: plans.Keys) -> Crossing:
    case_id = (
        Crossing.objects.filter(pk=crossing_id, unit__in=liaison_units(user))
        .values_list("case_id", flat=True)
        .first()
    )
    if case_id is None:
        raise Crossing.DoesNotExist
    crossing = plans.open_one(_locked(crossing_id, case_id), keys)
    if crossing.plan is None:
        raise PlanRefused(_("Your unit's key has not been shared with you yet."))
    return crossing


@transaction.atomic
def acknowledge(crossing_id: int, *, user: User, keys: plans.Keys, now: datetime) -> Crossing:
    """The receiving unit will hold fire. The case becomes scheduled in the same transaction."""
    crossing = _liaison_notice(user, crossing_id, keys)
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
def confirm_withdrawal_seen(
    crossing_id: int, *, user: User, keys: plans.Keys, now: datetime
) -> Crossing:
    """The liaison has told his unit that nobody is coming: the withdrawn notice leaves the
    top of his pages. Recorded once, by whichever liaison of the unit says it first."""
    crossing = _liaison_notice(user, crossing_id, keys)
    if crossing.status != Crossing.Status.WITHDRAWN:
        raise PlanRefused(_("This notice has not been withdrawn."))
    if crossing.withdrawal_seen_at is None:
        crossing.withdrawal_seen_at, crossing.withdrawal_seen_by = now, user
        crossing.save(update_fields=["withdrawal_seen_at", "withdrawal_seen_by"])
        log.record_case(
            crossing.case,
            Action.PASSAGE_WITHDRAWAL_SEEN,
            log.staff_actor(user),
            crossing=crossing.pk,
        )
    return crossing


@transaction.atomic
def decline(
    crossing_id: int, *, user: User, keys: plans.Keys, reason: str, now: datetime
) -> Crossing:
    crossing = _liaison_notice(user, crossing_id, keys)
    if crossing.status != Crossing.Status.NOTIFIED:
        raise PlanRefused(_("This notice is no longer waiting for an answer."))
    crossing.status = Crossing.Status.DECLINED
    crossing.responded_at, crossing.responded_by = now, user
    crossing.decline_reason = reason
    crossing.for_applicant = None
    crossing.save(
        update_fields=["status", "responded_at", "responded_by", "decline_reason", "for_applicant"]
    )
    log.record_case(
        crossing.case, Action.PASSAGE_NOTICE_DECLINED, log.staff_actor(user), crossing=crossing.pk
    )
    return crossing


@transaction.atomic
def report_arrival(
    crossing_id: int,
    *,
    user: User,
    keys: plans.Keys,
    arrived_at: datetime | None = None,
    now: datetime,
) -> Crossing:
    """The liaison saw the person arrive: the case is received."""
    crossing = _liaison_notice(user, crossing_id, keys)
    if crossing.status != Crossing.Status.ACKNOWLEDGED:
        raise PlanRefused(_("Only an acknowledged crossing can be reported as arrived."))
    record_arrival(
        crossing.case,
        arrived_at=arrived_at or now,
        user=user,
        roles=frozenset({Role.LIAISON}),
        keys=keys,
        now=now,
    )
    crossing.refresh_from_db()
    return crossing


@dataclass(frozen=True)
class Expired:
    unanswered: int  # notices never acknowledged before their window began
    missed: int  # acknowledged windows that passed with no outcome: back to verified


def expire(now: datetime) -> Expired:
    """Withdraw notices whose night has ended. Run by the worker every five minutes; it holds
    no key, so it judges by the plain night: a session that opened the plan withdraws it as
    soon as the window is past (`expire_seen`)."""
    over = windows.last_ended_night(now)
    grace_over = windows.last_ended_night(
        now - timedelta(hours=settings.PASSAGE_MISSED_GRACE_HOURS)
    )
    unanswered = Crossing.objects.filter(status=Crossing.Status.NOTIFIED, night__lte=over)
    missed = Crossing.objects.filter(status=Crossing.Status.ACKNOWLEDGED, night__lte=grace_over)
    return Expired(
        sum(_expire_unanswered(*ids) for ids in list(unanswered.values_list("pk", "case_id"))),
        sum(_expire_missed(*ids) for ids in list(missed.values_list("pk", "case_id"))),
    )


def expire_seen(crossings: list[Crossing], now: datetime) -> None:
    """Withdraw, now, the opened crossings whose window is past: what the worker does at the
    night's end, done as soon as a session that can read the window looks at it."""
    grace = timedelta(hours=settings.PASSAGE_MISSED_GRACE_HOURS)
    for crossing in crossings:
        if crossing.plan is None:
            continue
        if crossing.status == Crossing.Status.NOTIFIED and crossing.window_start <= now:
            _expire_unanswered(crossing.pk, crossing.case_id)
        elif crossing.status == Crossing.Status.ACKNOWLEDGED and crossing.window_end <= now - grace:
            _expire_missed(crossing.pk, crossing.case_id)
        else:
            continue
        crossing.refresh_from_db()


@transaction.atomic
def _expire_unanswered(crossing_id: int, case_id: int) -> bool:
    """Each crossing in a transaction of its own, its case locked first, then the crossing,
    looked at again under the lock (a liaison may have answered meanwhile)."""
    crossing = _locked(crossing_id, case_id)
    if crossing.status != Crossing.Status.NOTIFIED:
        return False
    crossing.status = Crossing.Status.EXPIRED
    crossing.closed_reason = "unanswered"
    crossing.for_applicant = None
    crossing.save(update_fields=["status", "closed_reason", "for_applicant"])
    log.record_case(crossing.case, Action.PASSAGE_NOTICE_EXPIRED, log.SYSTEM, crossing=crossing.pk)
    return True


@transaction.atomic
def _expire_missed(crossing_id: int, case_id: int) -> bool:
    crossing = _locked(crossing_id, case_id)
    if crossing.status != Crossing.Status.ACKNOWLEDGED:
        return False
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
        crossing.for_applicant = None
        crossing.save(update_fields=["status", "closed_reason", "for_applicant"])
    return True
