"""`safepassage backup FILE`: the database and the installation's secrets, encrypted under a
passphrase (SAFEPASSAGE_BACKUP_PASSPHRASE, or --passphrase-file), integrity-checked.

Keep the passphrase apart from the backups: together they open every case's key material
(though case contents still need a staff password to unwrap a programme key)."""

import json
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from safepassage.audit import log
from safepassage.audit.actions import Action
from safepassage.audit.models import AuditHead
from safepassage.ops import backup, snapshot
from safepassage.ops.passphrase import passphrase


class Command(BaseCommand):
    help = "Write an encrypted, integrity-checked backup of the database and its secrets."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("output", type=Path)
        parser.add_argument("--passphrase-file", type=Path)

    def handle(self, *args: Any, output: Path, **options: Any) -> None:
        secret = passphrase(options["passphrase_file"])
        with tempfile.TemporaryDirectory(prefix="sp-backup-") as work:
            folder = Path(work)
            secrets_file = folder / "secrets.json"
            secrets_file.write_text(
                json.dumps(
                    {
                        "secret_key": settings.SECRET_KEY,
                        "codename_pepper": settings.CODENAME_PEPPER.hex(),
                        "audit_key": settings.AUDIT_KEY.hex(),
                    }
                )
            )
            try:
                # The audit chain's head before the dump: restore compares it with the newest
                # anchor, so an older copy is not put back by mistake (issue #22, point 8).
                head = AuditHead.objects.filter(pk=1).values_list("seq", flat=True).first() or 0
                database = snapshot.dump(folder)
                manifest = {
                    "format": 1,
                    "created_at": timezone.now().isoformat(),
                    "vendor": snapshot.vendor(),
                    "audit_seq": head,
                }
                backup.write(
                    output,
                    {database.name: database, "secrets.json": secrets_file},
                    manifest,
                    secret,
                )
            except (backup.BackupError, snapshot.SnapshotError, OSError) as error:
                raise CommandError(str(error)) from error
        log.record(Action.OPS_BACKUP_WRITTEN, log.SYSTEM)
        self.stdout.write(f"backup written: {output} ({output.stat().st_size:,} bytes)")
