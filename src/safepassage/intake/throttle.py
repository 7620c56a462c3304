"""Throttling of wrong codenames.

Written by hand because django-axes throttles Django user logins, and a codename is not a
user. Behind a Tor onion service every request comes from the same address, so the limit is
per browser session (and per address where it is not a loopback one), with a site-wide cap
that makes guessing useless even for whoever throws their session away each time.
"""

import time
from hashlib import blake2b

from django.core.cache import cache
from django.http import HttpRequest

PER_CLIENT = 5
PER_CLIENT_SECONDS = 15 * 60
SITE_WIDE = 300
SITE_WIDE_SECONDS = 60


def _client_keys(request: HttpRequest) -> list[str]:
    keys = []
    if request.session.session_key:
        keys.append(request.session.session_key)
    address = request.META.get("REMOTE_ADDR", "")
    if address and not address.startswith("127.") and address != "::1":
        keys.append(address)
    return ["codename-fail:" + blake2b(k.encode(), person=b"sp-throttle").hexdigest() for k in keys]


def _bucket(seconds: int) -> int:
    return int(time.time() // seconds)


def _site_key() -> str:
    return f"codename-fail:site:{_bucket(SITE_WIDE_SECONDS)}"


def blocked(request: HttpRequest) -> bool:
    if (cache.get(_site_key()) or 0) >= SITE_WIDE:
        return True
    return any((cache.get(key) or 0) >= PER_CLIENT for key in _client_keys(request))


def record_failure(request: HttpRequest) -> None:
    for key, ttl in [(k, PER_CLIENT_SECONDS) for k in _client_keys(request)] + [
        (_site_key(), SITE_WIDE_SECONDS * 2)
    ]:
        if not cache.add(key, 1, ttl):
            try:
                cache.incr(key)
            except ValueError:
                cache.set(key, 1, ttl)
