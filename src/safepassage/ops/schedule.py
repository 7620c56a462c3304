"""Keeping the periodic tasks booked. django-tasks has no scheduler of its own (a task may
only say when it can run), so each periodic task, made with `periodic(every=...)`, books its
next run when it finishes, and `ensure_scheduled` books any that have gone missing (a fresh
database, a crashed worker)."""

import functools
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django_tasks import task as new_task
from django_tasks.base import Task
from django_tasks_db.models import DBTaskResult

WAITING = ("READY", "RUNNING")

# Every periodic task and how often it runs, filled by `periodic` as ops/tasks.py is imported.
PERIODIC: dict[Task[Any, Any], timedelta] = {}


def periodic(*, every: timedelta) -> Callable[[Callable[[], Any]], Task[Any, Any]]:
    """A task that books its own next run, `every` after it finishes."""

    def register(job: Callable[[], Any]) -> Task[Any, Any]:
        @functools.wraps(job)  # the task's path stays the job's own: ops.tasks.<name>
        def run_and_book_next() -> Any:
            result = job()
            book_next(booked)
            return result

        booked: Task[Any, Any] = new_task()(run_and_book_next)
        PERIODIC[booked] = every
        return booked

    return register


def _booked(task: Task[Any, Any], statuses: tuple[str, ...]) -> bool:
    return DBTaskResult.objects.filter(task_path=task.module_path, status__in=statuses).exists()


def book_next(task: Task[Any, Any], now: datetime | None = None) -> None:
    """Called by a periodic task as it finishes: its next run, unless one is already booked."""
    with transaction.atomic():
        if not _booked(task, ("READY",)):
            task.using(run_after=(now or timezone.now()) + PERIODIC[task]).enqueue()


def ensure_scheduled(now: datetime | None = None) -> list[str]:
    """Book every periodic task that is neither waiting nor running; return their names.
    The caller has imported ops/tasks.py, which registers them."""
    booked = []
    for task, _interval in PERIODIC.items():
        with transaction.atomic():
            if not _booked(task, WAITING):
                task.using(run_after=now or timezone.now()).enqueue()
                booked.append(task.name)
    return booked
