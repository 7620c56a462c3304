"""Keeping a flood of junk applications from burying the real ones (issue #16).

Behind Tor nothing tells one sender from another but his browser session, and a proof of
work is impossible without JavaScript, so: a browser session may send only a few
applications an hour (INTAKE_APPLICATIONS_PER_SESSION); and while a programme receives more
than INTAKE_FLOOD_PER_MINUTE applications a minute, its form asks a short plain question
before it accepts one. No external captcha: it would tell a third party who applies.
Both limits are settings (`make bench` lifts them for its honest clients; 0 turns the
question off). The flood is read from the applications themselves (the cases of the last
minute, on the queue's index), so counting it adds no write to an application.
"""

import secrets
import time
from datetime import datetime, timedelta

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

from safepassage.cases.models import Case
from safepassage.programmes.models import Programme

SENT = "applications_sent"  # the session's application times, in seconds
QUESTION = "flood_question"  # the answer the session's question expects
HOUR = 3600


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


def flooded(programme: Programme, now: datetime | None = None) -> bool:
    """More applications than the limit in the last minute."""
    limit = settings.INTAKE_FLOOD_PER_MINUTE
    if not limit:
        return False
    since = (now or timezone.now()) - timedelta(minutes=1)
    recent = Case.objects.filter(programme=programme, created_at__gte=since)[: limit + 1]
    return recent.count() > limit


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
