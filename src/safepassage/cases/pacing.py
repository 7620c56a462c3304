"""What an application costs, whatever channel it comes through and however many fresh
sessions its sender opens (issue #22, point 6).

Every application form carries a *ticket*: signed by the server, naming its programme and
the moment it was given out. An application is admitted only on a ticket at least
INTAKE_FORM_SECONDS old (less than anyone takes to fill in the form) and at most
INTAKE_FORM_HOURS old. While a programme receives more than INTAKE_FLOOD_PER_MINUTE
applications a minute, a ticket is not admitted at once: the sender is given a new ticket
holding the next slot of the programme's schedule, one slot every 60/limit seconds, and his
application is admitted when he sends it again at or after that slot. A sender with a
thousand sessions gets a thousand slots, one after another: the programme never takes in
more than about twice its limit a minute, and no one's form is refused or lost.

The wait lives in the ticket, not in a session or a table of senders, so the web form
without JavaScript, the bot and the operator's call form carry it alike. No question is
asked: any question a form without JavaScript can ask, a program reads and answers. Only
the schedule's end is stored (`SubmissionPace`), and only during a flood.

A ticket is used once: the same ticket again gives back the same receipt, not a second case
(`submission.submit_application`).

Applications are one `Stream`; another app paces its own forms on a schedule of its own with
the same tickets, which name their stream (families: relatives' inquiries).
"""

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone

from safepassage.cases.models import Case, SubmissionPace
from safepassage.programmes.models import Programme

SALT = "safepassage.cases.pacing"
TICKET_MAX_LENGTH = 200


@dataclass(frozen=True)
class Ticket:
    nonce: str
    programme_id: int
    given_at: datetime
    slot: datetime | None  # set when it was given out in a flood's schedule


EXPIRED = "expired"  # too old, or not one of ours: a new ticket
EARLY = "early"  # sent sooner than INTAKE_FORM_SECONDS after it was given out
QUEUED = "queued"  # a flood: a place in the schedule


@dataclass(frozen=True)
class Verdict:
    """`admitted`, or why not (`reason`), the ticket to send again with and from when."""

    admitted: bool
    reason: str = ""
    ticket: str = ""
    not_before: datetime | None = None


@dataclass(frozen=True)
class Stream:
    """What a schedule paces: applications (below), or another app's forms, which name their
    own limit, count what arrived and keep their own schedule (families' inquiries)."""

    name: str
    per_minute: Callable[[], int]
    # How many arrived in `programme` since the moment; counting may stop past `limit`.
    arrived_since: Callable[[Programme, datetime, int], int]
    # Move `programme`'s schedule on by `interval` from no earlier than `earliest`; returns
    # the slot taken.
    take_slot: Callable[[Programme, datetime, timedelta], datetime]


def _applications_since(programme: Programme, since: datetime, limit: int) -> int:
    """Read from the cases themselves, on the queue's index: counting adds no write."""
    return Case.objects.filter(programme=programme, created_at__gte=since)[: limit + 1].count()


def schedule_in(model: Any) -> Callable[[Programme, datetime, timedelta], datetime]:
    """A stream's `take_slot` on a table of one row per programme (`programme`, `next_slot`):
    SubmissionPace for applications, families' InquiryPace for inquiries."""

    def take_slot(programme: Programme, earliest: datetime, interval: timedelta) -> datetime:
        rows = model.objects
        with transaction.atomic():
            # One UPDATE that reads and moves the schedule: two senders never get one slot.
            rows.get_or_create(programme=programme, defaults={"next_slot": earliest})
            rows.filter(programme=programme).update(
                next_slot=Greatest(F("next_slot"), earliest) + interval
            )
            next_slot: datetime = rows.get(programme=programme).next_slot
        return next_slot - interval

    return take_slot


APPLICATIONS = Stream(
    "applications",
    lambda: settings.INTAKE_FLOOD_PER_MINUTE,
    _applications_since,
    schedule_in(SubmissionPace),
)


def _sign(programme: Programme, now: datetime, slot: datetime | None, stream: Stream) -> str:
    payload = {
        "n": secrets.token_urlsafe(18),
        "p": programme.pk,
        "t": int(now.timestamp()),
        "s": int(slot.timestamp()) if slot else 0,
    }
    if stream is not APPLICATIONS:
        payload["k"] = stream.name  # a ticket of one stream is no ticket of another
    return signing.dumps(payload, salt=SALT)


def issue(programme: Programme, now: datetime | None = None, stream: Stream = APPLICATIONS) -> str:
    """A ticket for a new form."""
    return _sign(programme, now or timezone.now(), None, stream)


def read(token: str, programme: Programme, stream: Stream = APPLICATIONS) -> Ticket | None:
    """The ticket, if the server made it for this programme and stream; None otherwise."""
    if not token or len(token) > TICKET_MAX_LENGTH:
        return None
    try:
        payload = signing.loads(token, salt=SALT)
        if payload.get("k", APPLICATIONS.name) != stream.name:
            return None
        given_at = datetime.fromtimestamp(int(payload["t"]), tz=UTC)
        slot = int(payload["s"])
        ticket = Ticket(
            nonce=str(payload["n"]),
            programme_id=int(payload["p"]),
            given_at=given_at,
            slot=datetime.fromtimestamp(slot, tz=UTC) if slot else None,
        )
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    return ticket if ticket.programme_id == programme.pk else None


def flooded(
    programme: Programme, now: datetime | None = None, stream: Stream = APPLICATIONS
) -> bool:
    """More arrived than the stream's limit in the last minute."""
    limit = stream.per_minute()
    if not limit:
        return False
    since = (now or timezone.now()) - timedelta(minutes=1)
    return stream.arrived_since(programme, since, limit) > limit


def admit(
    token: str,
    programme: Programme,
    now: datetime | None = None,
    stream: Stream = APPLICATIONS,
) -> Verdict:
    """May the form sent with this ticket be stored now?"""
    now = now or timezone.now()
    ticket = read(token, programme, stream)
    if ticket is None or now - ticket.given_at > timedelta(hours=settings.INTAKE_FORM_HOURS):
        fresh = now + timedelta(seconds=settings.INTAKE_FORM_SECONDS)
        return Verdict(False, EXPIRED, issue(programme, now, stream), fresh)
    if ticket.slot is not None:  # it waited for its place in the schedule
        if now >= ticket.slot:
            return Verdict(True)
        return Verdict(False, QUEUED, token, ticket.slot)
    ready = ticket.given_at + timedelta(seconds=settings.INTAKE_FORM_SECONDS)
    if now < ready:
        return Verdict(False, EARLY, token, ready)
    if not flooded(programme, now, stream):
        return Verdict(True)
    slot = _next_slot(programme, now, stream)
    return Verdict(False, QUEUED, _sign(programme, now, slot, stream), slot)


def _next_slot(programme: Programme, now: datetime, stream: Stream) -> datetime:
    """Take the programme's next slot: one every 60/limit seconds, none before a short wait."""
    interval = timedelta(seconds=60 / stream.per_minute())
    earliest = now + timedelta(seconds=max(settings.INTAKE_FORM_SECONDS, 1))
    return stream.take_slot(programme, earliest, interval)


def shown_time(not_before: datetime) -> datetime:
    """The moment to tell the sender, to the minute people read: the next whole minute, so
    that sending at the time he reads is never too early."""
    rounded = not_before.replace(second=0, microsecond=0)
    return rounded if rounded == not_before else rounded + timedelta(minutes=1)
