"""A growing wait after repeated failures, counted in a table row per key: the first few
failures are free, then 2, 4, 8 … seconds, at most `longest`. A correct answer is never
slowed by someone else's failures (each caller chooses keys nobody else shares), and the
counter is one atomic UPDATE, so concurrent failures are all counted.

Written by hand because django-axes locks Django logins for a fixed cool-off and forgets the
count when it ends, so its wait cannot grow; and codenames are not Django logins. Used by
programmes/throttle.py (wrong staff passwords, per username and address, and per address);
below, the same wait kept in a browser session (wrong codenames: intake/throttle.py and the
inquirer's families/views.py).
"""

import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from django.db import IntegrityError, models, transaction
from django.db.models import F


class Counter(models.Model):
    """The fields a counting table has; each app keeps its own table (its own data)."""

    key = models.CharField(max_length=64, primary_key=True)
    failures = models.PositiveIntegerField(default=0)
    not_before = models.DateTimeField()  # nothing is checked for this key before it
    last_at = models.DateTimeField()

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.failures} failures"


@dataclass(frozen=True)
class Policy:
    free: int
    longest: timedelta

    def wait_for(self, failures: int) -> timedelta:
        if failures <= self.free:
            return timedelta(0)
        return min(timedelta(seconds=2 ** min(failures - self.free, 20)), self.longest)


def seconds_to_wait(table: type[Counter], key: str, now: datetime) -> int:
    row = table.objects.filter(key=key).only("not_before").first()  # type: ignore[attr-defined]
    if row is None:
        return 0
    return max(0, int((row.not_before - now).total_seconds() + 0.999))


def record_failure(table: type[Counter], key: str, policy: Policy, now: datetime) -> int:
    """Count one failure for `key`; returns the seconds it must now wait."""
    rows = table.objects  # type: ignore[attr-defined]
    with transaction.atomic():
        counted = rows.filter(key=key).update(failures=F("failures") + 1, last_at=now)
        if not counted:
            try:
                with transaction.atomic():
                    rows.create(key=key, failures=1, not_before=now, last_at=now)
            except IntegrityError:  # a concurrent failure of the same key came first
                rows.filter(key=key).update(failures=F("failures") + 1, last_at=now)
        failures = rows.values_list("failures", flat=True).get(key=key)
        wait = policy.wait_for(failures)
        rows.filter(key=key).update(not_before=now + wait)
    return int(wait.total_seconds())


def forget(table: type[Counter], key: str) -> None:
    table.objects.filter(key=key).delete()  # type: ignore[attr-defined]


def forget_old(table: type[Counter], before: datetime) -> int:
    deleted, _ = table.objects.filter(last_at__lt=before).delete()  # type: ignore[attr-defined]
    return int(deleted)


# --- Per browser session: wrong codenames ------------------------------------------------------
# Behind a Tor onion service every request comes from one address, so a codename's wrong tries
# are counted in the visitor's own session (intake/throttle.py, families/views.py): a flood
# of fresh sessions adds no rows, and nobody's failures slow anyone else.

WRONG_CODENAMES = Policy(free=3, longest=timedelta(minutes=15))


class CountsWrongCodenames(Protocol):
    """A session class that keeps its wrong codenames: (failures, not before, Unix seconds)."""

    def wrong_codenames(self) -> tuple[int, int]: ...

    def set_wrong_codenames(self, failures: int, not_before: int) -> None: ...

    def forget_wrong_codenames(self) -> None: ...


def session_wait(session: CountsWrongCodenames) -> int:
    """How long this session must wait before a wrong codename is answered otherwise."""
    _failures, not_before = session.wrong_codenames()
    return max(0, not_before - int(time.time()))


def session_failure(session: CountsWrongCodenames) -> int:
    """Count a wrong codename for this session; returns the seconds it must now wait."""
    failures, not_before = session.wrong_codenames()
    failures += 1
    wait = int(WRONG_CODENAMES.wait_for(failures).total_seconds())
    session.set_wrong_codenames(failures, max(not_before, int(time.time()) + wait))
    return session_wait(session)
