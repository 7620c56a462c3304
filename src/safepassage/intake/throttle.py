"""Slowing down wrong codenames, one browser session at a time.

Written by hand because django-axes throttles Django user logins, and a codename is not a
user. A correct codename always gets in: it is checked before anything else, and nobody's
failures count against anyone else (issue #16: a flood of wrong codenames from fresh
sessions once locked every applicant out through a site-wide cap). Guessing needs no global
cap to be hopeless: a codename has 88 bits. What a session pays for its own wrong codenames
is a growing wait (the first few are free, then 2, 4, 8 … seconds, at most fifteen minutes)
during which it may not try again. Behind a Tor onion service every request comes from the
same address, so nothing is keyed by address. The counter is one atomic UPDATE, so
concurrent failures are all counted.
"""

from datetime import datetime, timedelta
from hashlib import blake2b

from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from safepassage.intake.models import WrongCodenames

FREE_TRIES = 3
LONGEST_WAIT = timedelta(minutes=15)
FORGOTTEN_AFTER = timedelta(days=1)


def _key(request: HttpRequest) -> str:
    if request.session.session_key is None:
        request.session.save()  # a failure needs a session to be counted against
    token = request.session.session_key or ""
    return blake2b(token.encode(), person=b"sp-throttle", digest_size=32).hexdigest()


def wait_for(failures: int) -> timedelta:
    if failures <= FREE_TRIES:
        return timedelta(0)
    return min(timedelta(seconds=2 ** min(failures - FREE_TRIES, 20)), LONGEST_WAIT)


def seconds_to_wait(request: HttpRequest, now: datetime | None = None) -> int:
    """How long this session must wait before its next codename is checked (0: go ahead)."""
    if request.session.session_key is None:
        return 0
    row = WrongCodenames.objects.filter(key=_key(request)).only("not_before").first()
    if row is None:
        return 0
    left = (row.not_before - (now or timezone.now())).total_seconds()
    return max(0, int(left + 0.999))


def record_failure(request: HttpRequest, now: datetime | None = None) -> int:
    """Count a wrong codename for this session; returns the seconds it must now wait."""
    now = now or timezone.now()
    key = _key(request)
    with transaction.atomic():
        counted = WrongCodenames.objects.filter(key=key).update(
            failures=F("failures") + 1, last_at=now
        )
        if not counted:
            try:
                with transaction.atomic():
                    WrongCodenames.objects.create(key=key, failures=1, not_before=now, last_at=now)
            except IntegrityError:  # another request of the same session came first
                WrongCodenames.objects.filter(key=key).update(
                    failures=F("failures") + 1, last_at=now
                )
        failures = WrongCodenames.objects.values_list("failures", flat=True).get(key=key)
        wait = wait_for(failures)
        WrongCodenames.objects.filter(key=key).update(not_before=now + wait)
    return int(wait.total_seconds())


def forget(request: HttpRequest) -> None:
    """A correct codename: the session's earlier mistakes are forgotten."""
    if request.session.session_key is not None:
        WrongCodenames.objects.filter(key=_key(request)).delete()


def forget_old(now: datetime) -> int:
    """Run by the worker: counters of sessions quiet for a day."""
    deleted, _ = WrongCodenames.objects.filter(last_at__lt=now - FORGOTTEN_AFTER).delete()
    return deleted
