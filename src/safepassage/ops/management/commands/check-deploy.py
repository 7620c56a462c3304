"""`safepassage check-deploy`: Django's deployment checks and the project's own
(`safepassage.ops.checks`); any warning fails it."""

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run every deployment check; fail on any warning."

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("check", deploy=True, fail_level="WARNING", databases=["default"])
        self.stdout.write("ready to deploy")
