"""A staff member's own session, as writers: the password step, the second factor, signing
out, a new password, ending one of his other sessions. Each is atomic with its audit entry
(tests/test_writers_are_atomic.py); the views in views.py and team_views.py validate and
call one of these."""

from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.models import User
from django.db import transaction
from django.http import HttpRequest
from django_otp import login as otp_login
from django_otp.models import Device

from safepassage.audit import log
from safepassage.audit.actions import Action
from safepassage.programmes import session_keys, staff_keys, team
from safepassage.programmes.models import StaffSession
from safepassage.programmes.sessions import StaffBrowserSession


def _row_key(request: HttpRequest) -> str:
    return StaffBrowserSession(request).row_key


@transaction.atomic
def password_accepted(request: HttpRequest, user: User, password: str) -> None:
    """The password was right: he is half signed in, and his keys open into the session."""
    login(request, user)
    session_keys.unlock(request, user, password)
    log.record(Action.STAFF_PASSWORD_ACCEPTED, log.staff_actor(user))


@transaction.atomic
def signed_in(request: HttpRequest, user: User, device: Device) -> None:
    """The second factor was right: the session is his, and listed among his sessions."""
    otp_login(request, device)
    team.remember_session(user, _row_key(request), request.headers.get("User-Agent", ""))
    log.record(Action.STAFF_SIGNED_IN, log.staff_actor(user))


def code_refused(user: User) -> None:
    """A wrong second-factor code (one write: the audit entry)."""
    log.record(Action.STAFF_SECOND_FACTOR_FAILED, log.staff_actor(user))


def sign_out(request: HttpRequest) -> None:
    """He signs out: the entry and the end of his session's row together, then the session."""
    if request.user.is_authenticated:
        with transaction.atomic():
            log.record(Action.STAFF_SIGNED_OUT, log.staff_actor(request.user))
            StaffSession.objects.filter(session_key=_row_key(request)).delete()
    logout(request)


@transaction.atomic
def change_password(request: HttpRequest, user: User, old: str, new: str) -> None:
    """His private key wrapped again under the new password: every key granted stays his."""
    staff_keys.change_password(user, old, new)
    update_session_auth_hash(request, user)
    log.record(Action.STAFF_PASSWORD_CHANGED, log.staff_actor(user))


@transaction.atomic
def end_own_session(user: User, session_id: int) -> bool:
    """He ends one of his sessions (a lost phone); False if it was not his or already over."""
    if not team.end_session(user, session_id):
        return False
    log.record(Action.STAFF_SESSION_ENDED, log.staff_actor(user))
    return True
