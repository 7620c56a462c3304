"""`safepassage passage-expire`: withdraw notices whose time has passed. Run it every few
minutes (cron or a systemd timer); the liaison and coordinator pages also run it."""

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from safepassage.passage.notices import expire


class Command(BaseCommand):
    help = "Expire unanswered hold-fire notices and return missed windows to verified."

    def handle(self, *args: Any, **options: Any) -> None:
        result = expire(timezone.now())
        self.stdout.write(f"expired {result.unanswered} unanswered, {result.missed} missed")
