"""How many applications one browser session may send (issue #16).

Behind Tor nothing tells one sender from another but his browser session: a session may
send only a few applications an hour (INTAKE_APPLICATIONS_PER_SESSION). A fresh session
resets this count, so it is not the flood limit: every application's cost, whatever
session or channel it comes from, is its ticket's wait (cases/pacing.py).
"""

import time

from django.conf import settings
from django.http import HttpRequest

SENT = "applications_sent"  # the session's application times, in seconds
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
