"""`safepassage audit verify`: check the audit chain; exit status 1 when it is broken."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from safepassage.audit.log import verify
from safepassage.audit.models import AuditEvent


class Command(BaseCommand):
    help = "Audit log tools. 'verify' reports any altered, inserted or removed entry."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("what", choices=["verify"])

    def handle(self, *args: Any, **options: Any) -> None:
        problems = verify()
        count = AuditEvent.objects.count()
        if problems:
            for problem in problems:
                self.stderr.write(str(problem))
            raise CommandError(f"audit chain BROKEN: {len(problems)} problem(s) in {count} entries")
        self.stdout.write(f"audit chain intact: {count} entries")
