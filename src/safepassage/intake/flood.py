"""How many applications one browser session may send (issue #16).

Behind Tor nothing tells one sender from another but his browser session: a session may
send only a few applications an hour (INTAKE_APPLICATIONS_PER_SESSION). A fresh session
resets this count, so it is not the flood limit: every application's cost, whatever
session or channel it comes from, is its ticket's wait (cases/pacing.py).
"""

import time

from django.conf import settings

from safepassage.intake.sessions import ApplicantSession

HOUR = 3600


def sent_recently(session: ApplicantSession) -> int:
    now = time.time()
    return sum(1 for at in session.applications_sent() if now - at < HOUR)


def session_may_apply(session: ApplicantSession) -> bool:
    return sent_recently(session) < settings.INTAKE_APPLICATIONS_PER_SESSION


def note_application(session: ApplicantSession) -> None:
    """Called inside the application's transaction: the session is saved with it."""
    now = time.time()
    session.set_applications_sent(
        [at for at in session.applications_sent() if now - at < HOUR] + [now]
    )
