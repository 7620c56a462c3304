"""Keeping a flood of junk applications from burying the real ones (issue #16).

Behind Tor nothing tells one sender from another but his browser session, and a proof of
work is impossible without JavaScript, so: a browser session may send only a few
applications an hour (INTAKE_APPLICATIONS_PER_SESSION); and while a programme receives more
than INTAKE_FLOOD_PER_MINUTE applications a minute, its form asks a short plain question
before it accepts one. No external captcha: it would tell a third party who applies.
Both limits are settings (`make bench` raises them for its honest clients).
"""

import secrets
import time
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.http import HttpRequest
from django.utils import timezone

from safepassage.intake.models import ApplicationsInAMinute
from safepassage.programmes.models import Programme

SENT = "applications_sent"  # the session's application times, in seconds
QUESTION = "flood_question"  # the answer the session's question expects
HOUR = 3600


def _minute(now: datetime) -> datetime:
    return now.replace(second=0, microsecond=0)


def sent_recently(request: HttpRequest) -> int:
    now = time.time()
    return sum(1 for at in request.session.get(SENT, []) if now - at < HOUR)


def session_may_apply(request: HttpRequest) -> bool:
    return sent_recently(request) < settings.INTAKE_APPLICATIONS_PER_SESSION


def note_application(request: HttpRequest) -> None:
    """Called inside the application's transaction: the session is saved with it."""
    now = time.time()
    request.session[SENT] = [at for at in request.session.get(SENT, []) if now - at < HOUR] + [now]
    request.session.pop(QUESTION, None)


def count_application(programme: Programme, now: datetime | None = None) -> None:
    minute = _minute(now or timezone.now())
    counted = ApplicationsInAMinute.objects.filter(programme=programme, minute=minute).update(
        count=F("count") + 1
    )
    if not counted:
        try:
            with transaction.atomic():
                ApplicationsInAMinute.objects.create(programme=programme, minute=minute, count=1)
        except IntegrityError:
            ApplicationsInAMinute.objects.filter(programme=programme, minute=minute).update(
                count=F("count") + 1
            )


def flooded(programme: Programme, now: datetime | None = None) -> bool:
    """More applications than the limit in this minute or the one before."""
    minute = _minute(now or timezone.now())
    recent = ApplicationsInAMinute.objects.filter(
        programme=programme, minute__gte=minute - timedelta(minutes=1)
    ).aggregate(total=Sum("count"))["total"]
    return (recent or 0) > settings.INTAKE_FLOOD_PER_MINUTE


def new_question(request: HttpRequest) -> tuple[int, int]:
    """Two small numbers to add; the sum is kept in the session."""
    a, b = secrets.randbelow(8) + 2, secrets.randbelow(8) + 2
    request.session[QUESTION] = a + b
    return a, b


def asked(request: HttpRequest) -> bool:
    return QUESTION in request.session


def answered(request: HttpRequest, answer: str) -> bool:
    expected = request.session.get(QUESTION)
    return expected is not None and answer.strip() == str(expected)


def forget_old(now: datetime) -> int:
    """Run by the worker: minutes older than a day."""
    deleted, _ = ApplicationsInAMinute.objects.filter(minute__lt=now - timedelta(days=1)).delete()
    return deleted
