"""`safepassage audit verify`: check the audit chain, and against the newest anchor when
anchors are set up; exit status 1 when it is broken or rolled back.
`safepassage audit anchor`: sign the chain's head and write it outside the server."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from safepassage.audit import anchor
from safepassage.audit.log import verify
from safepassage.audit.models import AuditEvent


class Command(BaseCommand):
    help = "Audit log tools: 'verify' the chain (and its anchors); 'anchor' its head."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("what", choices=["verify", "anchor"])

    def handle(self, *args: Any, **options: Any) -> None:
        if options["what"] == "anchor":
            try:
                path = anchor.write()
            except anchor.NotConfigured as missing:
                raise CommandError(str(missing)) from missing
            self.stdout.write(f"anchor written: {path}")
            return
        problems = [str(problem) for problem in verify()]
        anchored = ""
        if settings.AUDIT_ANCHOR_KEY and settings.AUDIT_ANCHOR_DIR:
            try:
                newest = anchor.newest()
            except ValueError as forged:
                problems.append(str(forged))
            else:
                if newest is None:
                    problems.append("no anchor found: run 'safepassage audit anchor'")
                elif why := anchor.rollback(newest):
                    problems.append(why)
                else:
                    anchored = f"; agrees with the anchor of {newest.at}"
        count = AuditEvent.objects.count()
        if problems:
            for problem in problems:
                self.stderr.write(problem)
            raise CommandError(f"audit chain BROKEN: {len(problems)} problem(s) in {count} entries")
        self.stdout.write(f"audit chain intact: {count} entries{anchored}")
