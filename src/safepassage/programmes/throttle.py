"""Slowing down wrong staff passwords without letting an outsider lock anyone out (issue #17).

Instead of django-axes' one-hour lock after five failures (which anyone who knew a username
could impose), each failure makes the next try wait (safepassage/lib/backoff.py):

- per username at one address: three free, then 2, 4, 8 … seconds, at most fifteen minutes;
- per address, over every username: ten free, then the same.

Nothing is counted per username alone: a flood from other addresses never slows the owner of
the account, whose right password and second factor get in. A try during a wait is refused
without checking the password (and not counted); a right password forgets its pair's
failures. The address is the one nginx saw (safepassage.lib.hosts.client_address). A password
alone opens nothing: the second factor follows, throttled by django-otp.
"""

from datetime import datetime, timedelta
from hashlib import blake2b

from django.http import HttpRequest

from safepassage.lib import backoff
from safepassage.lib.hosts import client_address
from safepassage.programmes.models import FailedSignIns

PER_PAIR = backoff.Policy(free=3, longest=timedelta(minutes=15))
PER_ADDRESS = backoff.Policy(free=10, longest=timedelta(minutes=15))
FORGOTTEN_AFTER = timedelta(days=1)


def _keys(request: HttpRequest, username: str) -> tuple[str, str]:
    address = client_address(request)
    pair = f"{username.strip().casefold()}\n{address}"

    def hashed(text: str) -> str:
        return blake2b(text.encode(), person=b"sp-staff-tries", digest_size=32).hexdigest()

    return hashed(pair), hashed(address)


def seconds_to_wait(request: HttpRequest, username: str, now: datetime) -> int:
    pair, address = _keys(request, username)
    return max(
        backoff.seconds_to_wait(FailedSignIns, pair, now),
        backoff.seconds_to_wait(FailedSignIns, address, now),
    )


def record_failure(request: HttpRequest, username: str, now: datetime) -> int:
    pair, address = _keys(request, username)
    return max(
        backoff.record_failure(FailedSignIns, pair, PER_PAIR, now),
        backoff.record_failure(FailedSignIns, address, PER_ADDRESS, now),
    )


def forget(request: HttpRequest, username: str) -> None:
    backoff.forget(FailedSignIns, _keys(request, username)[0])


def forget_old(now: datetime) -> int:
    return backoff.forget_old(FailedSignIns, now - FORGOTTEN_AFTER)
