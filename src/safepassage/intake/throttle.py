"""Slowing down wrong codenames, one browser session at a time.

A correct codename always gets in: it is checked before anything else, and nobody's
failures count against anyone else (issue #16: a flood of wrong codenames from fresh
sessions once locked every applicant out through a site-wide cap). Guessing needs no global
cap to be hopeless: a codename has 88 bits. What a session pays for its own wrong codenames
is a growing wait (safepassage/backoff.py: the first few are free, then 2, 4, 8 … seconds,
at most fifteen minutes) during which it may not try again. Behind a Tor onion service every
request comes from the same address, so nothing is keyed by address.
"""

from datetime import datetime, timedelta
from hashlib import blake2b

from django.http import HttpRequest
from django.utils import timezone

from safepassage import backoff
from safepassage.intake.models import WrongCodenames

POLICY = backoff.Policy(free=3, longest=timedelta(minutes=15))
FORGOTTEN_AFTER = timedelta(days=1)


def _key(request: HttpRequest) -> str:
    if request.session.session_key is None:
        request.session.save()  # a failure needs a session to be counted against
    token = request.session.session_key or ""
    return blake2b(token.encode(), person=b"sp-throttle", digest_size=32).hexdigest()


def seconds_to_wait(request: HttpRequest, now: datetime | None = None) -> int:
    """How long this session must wait before its next codename is checked (0: go ahead)."""
    if request.session.session_key is None:
        return 0
    return backoff.seconds_to_wait(WrongCodenames, _key(request), now or timezone.now())


def record_failure(request: HttpRequest, now: datetime | None = None) -> int:
    """Count a wrong codename for this session; returns the seconds it must now wait."""
    return backoff.record_failure(WrongCodenames, _key(request), POLICY, now or timezone.now())


def forget(request: HttpRequest) -> None:
    """A correct codename: the session's earlier mistakes are forgotten."""
    if request.session.session_key is not None:
        backoff.forget(WrongCodenames, _key(request))


def forget_old(now: datetime) -> int:
    """Run by the worker: counters of sessions quiet for a day."""
    return backoff.forget_old(WrongCodenames, now - FORGOTTEN_AFTER)
