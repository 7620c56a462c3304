"""The rules of reception: capture on arrival, registration, the capture card, later events
and the information-bureau export. Plain functions that views, commands and the transition
table call; every one that opens personal data writes an audit entry saying so.

Time is an argument (`now`) wherever it decides something, so tests move the clock.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q, QuerySet
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from safepassage.audit import log
from safepassage.audit.actions import Action
from safepassage.cases import dossier, transitions
from safepassage.cases.models import Case
from safepassage.cases.states import State
from safepassage.lib import display
from safepassage.lib.acts import Refused
from safepassage.programmes.groupkeys import Keyring
from safepassage.programmes.models import Programme
from safepassage.programmes.roles import Role
from safepassage.reception import card
from safepassage.reception.models import CustodyEvent, Prisoner
from safepassage.reception.particulars import FIELDS, MANDATORY
from safepassage.vault import crypto

RECEPTION_ROLES = frozenset({Role.RECEPTION})

# Sent inside the transaction that registers a prisoner or corrects his particulars, with
# the particulars in plain and the officer's keys: families seals and indexes what tracing may
# match inquiries against.
prisoner_registered = Signal()  # prisoner=, particulars=, keyring=


class ReceptionRefused(Refused):
    """The step cannot be taken; `reason` is safe to show the officer."""


def _zone() -> ZoneInfo:
    return ZoneInfo(settings.RECEPTION_ZONE)


def local_day(moment: datetime) -> date:
    """The calendar day of `moment` where the prisoner is held (RECEPTION_ZONE)."""
    return moment.astimezone(_zone()).date()


# --- Arrival and registration -----------------------------------------------------------------


def record_capture(case: Case, *, at: datetime | None = None) -> Prisoner:
    """Called when the case is received: the clock for the capture card starts now."""
    prisoner, _created = Prisoner.objects.get_or_create(
        case=case, defaults={"captured_at": at or timezone.now()}
    )
    return prisoner


def has_capture(case: Case) -> bool:
    return Prisoner.objects.filter(case=case).exists()


def is_registered(case: Case) -> bool:
    return Prisoner.objects.filter(case=case, registered_at__isnull=False).exists()


def registered_at(case: Case) -> datetime | None:
    return Prisoner.objects.filter(case=case).values_list("registered_at", flat=True).first()


def register(
    case: Case,
    answers: dict[str, Any],
    *,
    user: User,
    keyring: Keyring,
    now: datetime | None = None,
) -> Prisoner:
    """Store the Art. 17 particulars (first time: the case becomes registered; later: a
    correction). `answers` are a validated RegistrationForm's cleaned data."""
    missing = [str(label) for name, label in MANDATORY.items() if not answers.get(name)]
    if missing:
        raise ReceptionRefused(_("Required under GC III Art. 17: %s.") % ", ".join(missing))
    now = now or timezone.now()
    record: dict[str, Any] = {name: _plain(answers.get(name)) for name in FIELDS}
    if missing := card.unprintable("".join(record.values())):
        raise ReceptionRefused(
            _("The capture card cannot print %(characters)s.") % {"characters": " ".join(missing)}
        )
    record["language"] = answers.get("language") or settings.LANGUAGE_CODE
    record["refused"] = sorted(answers.get("refused") or [])
    with transaction.atomic():
        prisoner = Prisoner.objects.select_for_update().filter(case=case).first()
        if prisoner is None:
            raise ReceptionRefused(_("Record the arrival before registering the prisoner."))
        first_time = prisoner.registered_at is None
        prisoner.particulars = crypto.encrypt_json(
            dossier.writing_key(case, keyring, "custody"), record
        )
        if first_time:
            prisoner.registered_at, prisoner.registered_by = now, user
        prisoner.changed_at = now
        prisoner.save()
        actor = log.staff_actor(user)
        log.record_case(
            case,
            Action.RECEPTION_REGISTERED if first_time else Action.RECEPTION_PARTICULARS_CORRECTED,
            actor,
            refused=len(record["refused"]),
        )
        if case.state == State.RECEIVED:
            transitions.perform(case, "register", roles=RECEPTION_ROLES, actor=actor)
        prisoner_registered.send(
            sender=Prisoner, prisoner=prisoner, particulars=record, keyring=keyring
        )
    return prisoner


def _plain(value: Any) -> str:
    if isinstance(value, date):
        return value.isoformat()
    return (value or "").strip() if isinstance(value, str) else str(value or "")


@dataclass(frozen=True)
class PrisonerView:
    prisoner: Prisoner
    particulars: dict[str, Any] | None
    events: list["ShownEvent"]
    card_due: datetime
    card_overdue: bool
    shredded: bool


def open_prisoner(
    case: Case, *, user: User, keyring: Keyring, now: datetime | None = None
) -> PrisonerView | None:
    """Decrypt the prisoner's record for a reception officer; the read is audited."""
    prisoner = Prisoner.objects.filter(case=case).first()
    if prisoner is None:
        return None
    now = now or timezone.now()
    key = dossier.case_key(case, keyring, "custody")
    particulars, events = None, []
    if key is not None:  # else shredded (the dates remain, the person is gone) or not begun
        particulars = (
            crypto.decrypt_json(key, prisoner.particulars) if prisoner.particulars else None
        )
        events = [
            _shown_event(key, e) for e in prisoner.events.select_related("corrects", "corrected_by")
        ]
    log.record_case(case, Action.RECEPTION_READ, log.staff_actor(user))
    due = card_due(prisoner.captured_at)
    return PrisonerView(
        prisoner,
        particulars,
        events,
        due,
        card_overdue=prisoner.card_sent_at is None and now >= due,
        shredded=case.shredded_at is not None,
    )


# --- The capture card (Art. 70) ---------------------------------------------------------------


def card_due(captured_at: datetime) -> datetime:
    """The end of the week after capture: midnight, local time, at the end of the seventh day
    after the day of capture, whatever the clocks did in between."""
    captured_on = local_day(captured_at)
    due_day = captured_on + timedelta(days=settings.RECEPTION_CARD_DUE_DAYS + 1)
    return datetime.combine(due_day, time.min, tzinfo=_zone())


def overdue_cards(programme_ids: list[int], now: datetime) -> QuerySet[Prisoner]:
    """Prisoners whose card has not gone out and is past due. `captured_at < threshold` is
    the same test as `now >= card_due(captured_at)`, done by the database."""
    today = local_day(now)
    threshold = datetime.combine(
        today - timedelta(days=settings.RECEPTION_CARD_DUE_DAYS), time.min, tzinfo=_zone()
    )
    return Prisoner.objects.filter(
        case__programme_id__in=programme_ids,
        card_sent_at__isnull=True,
        captured_at__lt=threshold,
    ).select_related("case")


def cards_not_sent(programme_ids: list[int]) -> QuerySet[Prisoner]:
    """Prisoners whose capture card has not gone out yet, late or not."""
    return Prisoner.objects.filter(case__programme_id__in=programme_ids, card_sent_at__isnull=True)


def capture_card(case: Case, *, user: User, keyring: Keyring, now: datetime | None = None) -> bytes:
    """The card as a PDF in the prisoner's language. Producing it is an audited read."""
    prisoner = Prisoner.objects.filter(case=case, particulars__isnull=False).first()
    if prisoner is None or prisoner.particulars is None:
        raise ReceptionRefused(_("Register the prisoner before producing his capture card."))
    now = now or timezone.now()
    key = dossier.case_key(case, keyring, "custody")
    if key is None:
        raise dossier.CaseShredded
    particulars = crypto.decrypt_json(key, prisoner.particulars)
    data = card.CardData(
        particulars=particulars,
        captured_on=local_day(prisoner.captured_at),
        dated=local_day(now),
    )
    pdf = card.render(data, particulars.get("language") or settings.LANGUAGE_CODE)
    log.record_case(case, Action.RECEPTION_CARD_PRODUCED, log.staff_actor(user))
    return pdf


def mark_card_sent(case: Case, *, user: User, now: datetime | None = None) -> None:
    with transaction.atomic():
        updated = Prisoner.objects.filter(
            case=case, particulars__isnull=False, card_sent_at__isnull=True
        ).update(card_sent_at=now or timezone.now(), card_sent_by=user)
        if not updated:
            raise ReceptionRefused(_("Register the prisoner first; a card is sent only once."))
        log.record_case(case, Action.RECEPTION_CARD_SENT, log.staff_actor(user))


# --- Later events (Art. 122–123) --------------------------------------------------------------


# Sent inside the transaction that records a custody event; after-care answers an exchange
# by closing his choice about exchange lists.
custody_event_recorded = Signal()  # case=, kind=, user=, now=


def add_event(
    case: Case,
    *,
    kind: str,
    occurred_on: date,
    place: str,
    details: str,
    user: User,
    keyring: Keyring,
    corrects: int | None = None,
    now: datetime | None = None,
) -> CustodyEvent:
    """Record a later event, or (`corrects`) a new event correcting an earlier wrong one,
    which stays on record as corrected. Not in the future, not before the capture."""
    prisoner = Prisoner.objects.filter(case=case, registered_at__isnull=False).first()
    if prisoner is None:
        raise ReceptionRefused(_("Register the prisoner before recording later events."))
    if occurred_on < local_day(prisoner.captured_at):
        raise ReceptionRefused(_("An event cannot be earlier than the capture."))
    if occurred_on > local_day(now or timezone.now()):
        raise ReceptionRefused(_("An event cannot be dated in the future."))
    with transaction.atomic():
        blob = crypto.encrypt_json(
            dossier.writing_key(case, keyring, "custody"), {"place": place, "details": details}
        )
        wrong = None
        if corrects is not None:
            # Locked, so two officers cannot both correct it; a second correction is refused.
            wrong = (
                CustodyEvent.objects.select_for_update(of=("self",))
                .filter(pk=corrects, prisoner=prisoner, corrected_by__isnull=True)
                .first()
            )
            if wrong is None:
                raise ReceptionRefused(_("That event cannot be corrected (already corrected?)."))
        event = CustodyEvent.objects.create(
            prisoner=prisoner,
            kind=kind,
            occurred_on=occurred_on,
            details=blob,
            recorded_by=user,
            corrects=wrong,
        )
        detail: dict[str, Any] = {"kind": kind}
        if wrong is not None:
            detail["corrects"] = wrong.pk
        log.record_case(case, Action.RECEPTION_EVENT_RECORDED, log.staff_actor(user), **detail)
        custody_event_recorded.send(
            sender=CustodyEvent, case=case, kind=kind, user=user, now=now or timezone.now()
        )
    return event


def correctable_events(case: Case) -> list[tuple[int, str]]:
    """Events not yet corrected, as (pk, "Transfer, 20.11.2026"), for the correction choice."""
    events = CustodyEvent.objects.filter(prisoner__case=case, corrected_by__isnull=True)
    return [(e.pk, f"{e.get_kind_display()}, {display.day(e.occurred_on)}") for e in events]


@dataclass(frozen=True)
class ShownEvent:
    """An event as the reception officer reads it."""

    pk: int
    label: str
    day: str
    place: str
    details: str
    corrected: bool
    corrects: str  # "Transfer, 20.11.2026" for a correction, else ""


def _shown_event(key: bytes, event: CustodyEvent) -> ShownEvent:
    text = crypto.decrypt_json(key, event.details)
    wrong = event.corrects
    return ShownEvent(
        pk=event.pk,
        label=event.get_kind_display(),
        day=display.day(event.occurred_on),
        place=text.get("place") or "",
        details=text.get("details") or "",
        corrected=hasattr(event, "corrected_by"),
        corrects=f"{wrong.get_kind_display()}, {display.day(wrong.occurred_on)}" if wrong else "",
    )


# --- The reception desk -------------------------------------------------


def desk(programme: Programme) -> QuerySet[Prisoner]:
    """Everyone in custody, newest first: references and dates, nothing to decrypt."""
    return (
        Prisoner.objects.filter(case__programme=programme)
        .select_related("case")
        .order_by("-captured_at")
    )


def find(
    programme: Programme, keyring: Keyring, *, user: User, service_number: str = "", **name: str
) -> list[Prisoner]:
    """Prisoners whose service number, or whose surname, first names and date of birth
    (DD.MM.YYYY, as the application took them), are these: through the blind indexes, keyed
    by the identity key of this session, so nothing is decrypted to search. Audited with how
    many were found, never what was typed."""
    from safepassage.cases.models import BlindIndex
    from safepassage.vault.blind import blind_index

    key = keyring.get("identity")
    if key is None:
        return []
    wanted = []
    if service_number.strip():
        wanted.append(
            (BlindIndex.Kind.SERVICE_NUMBER, blind_index(key, "service_number", service_number))
        )
    if name.get("surname", "").strip():
        parts = (name.get("surname", ""), name.get("first_names", ""), name.get("born", ""))
        wanted.append((BlindIndex.Kind.IDENTITY, blind_index(key, "identity", *parts)))
    found: list[Prisoner] = []
    if wanted:
        query = Q()
        for kind, digest in wanted:
            query |= Q(kind=kind, digest=digest)
        cases = BlindIndex.objects.filter(query, programme=programme).values("case_id")
        found = list(desk(programme).filter(case_id__in=cases)[:50])
    log.record(
        Action.RECEPTION_SEARCHED,
        log.staff_actor(user),
        programme_id=programme.pk,
        found=len(found),
    )
    return found


def desk_sheet(
    programme: Programme,
    arrivals: list[tuple[datetime, datetime, str, int]],
    *,
    user: User,
    now: datetime,
) -> bytes:
    """The desk on paper (sheet.py): `arrivals` are the acknowledged crossings expected, as
    (window start, window end, sector, head count), opened by the caller's session; printing
    is audited with how many prisoners it lists."""
    from safepassage.reception import sheet

    zone = settings.RECEPTION_ZONE
    window_zone = display.window_zone()
    overdue = set(overdue_cards([programme.pk], now).values_list("pk", flat=True))
    held = [
        sheet.Held(
            p.case.reference,
            display.moment(p.captured_at, zone),
            display.day(p.registered_at, zone) if p.registered_at else _("not yet"),
            display.moment(card_due(p.captured_at), zone),
            p.pk in overdue,
        )
        for p in desk(programme)[:500]
    ]
    expected = [
        (display.window(start, end, window_zone), sector, count)
        for start, end, sector, count in arrivals
    ]
    log.record(
        Action.RECEPTION_SHEET_PRINTED,
        log.staff_actor(user),
        programme_id=programme.pk,
        prisoners=len(held),
    )
    return sheet.render(programme.name, expected, held, now, zone)
