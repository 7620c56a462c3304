"""Keeping the periodic tasks booked. django-tasks has no scheduler of its own (a task may
only say when it can run), so each periodic task books its next run when it finishes, and
`ensure_scheduled` books any that have gone missing (a fresh database, a crashed worker)."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django_tasks.base import Task
from django_tasks_db.models import DBTaskResult

from safepassage.ops.tasks import PERIODIC

WAITING = ("READY", "RUNNING")


def _booked(task: Task, statuses: tuple[str, ...]) -> bool:
    return DBTaskResult.objects.filter(task_path=task.module_path, status__in=statuses).exists()


def book_next(task: Task, now: datetime | None = None) -> None:
    """Called by a periodic task as it finishes: its next run, unless one is already booked."""
    with transaction.atomic():
        if not _booked(task, ("READY",)):
            task.using(run_after=(now or timezone.now()) + PERIODIC[task]).enqueue()


def ensure_scheduled(now: datetime | None = None) -> list[str]:
    """Book every periodic task that is neither waiting nor running; return their names."""
    booked = []
    for task, _interval in PERIODIC.items():
        with transaction.atomic():
            if not _booked(task, WAITING):
                task.using(run_after=now or timezone.now()).enqueue()
                booked.append(task.name)
    return booked
