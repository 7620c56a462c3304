"""`safepassage restore FILE`: check a backup, and bring it up on this installation.

The target must be empty (a fresh `migrate`d or unmigrated database) unless --force. The
secrets are written to the var directory; if SAFEPASSAGE_* variables override them there, set
those to the restored values. The audit chain is verified with the restored key at the end.
With --check, only decrypts and checks the backup."""

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from safepassage.audit import anchor, log
from safepassage.ops import backup, snapshot
from safepassage.ops.passphrase import passphrase

SECRETS = ("secret_key", "codename_pepper", "audit_key")


class Command(BaseCommand):
    help = "Check a backup and restore it onto this (empty) installation."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("input", type=Path)
        parser.add_argument("--passphrase-file", type=Path)
        parser.add_argument("--check", action="store_true", help="Only check the backup.")
        parser.add_argument("--force", action="store_true", help="Replace a non-empty database.")
        parser.add_argument(
            "--older-than-anchor",
            action="store_true",
            help="Restore a backup made before the newest audit anchor (rolls the log back).",
        )

    def handle(self, *args: Any, input: Path, **options: Any) -> None:
        secret = passphrase(options["passphrase_file"])
        with tempfile.TemporaryDirectory(prefix="sp-restore-") as work:
            try:
                contents = backup.read(input, secret, Path(work))
            except (backup.BackupError, OSError) as error:
                raise CommandError(f"backup refused: {error}") from error
            made = contents.manifest.get("created_at", "?")
            self.stdout.write(f"backup intact: made {made}, {contents.manifest.get('vendor')}")
            if options["check"]:
                return
            if not snapshot.is_empty() and not options["force"]:
                raise CommandError("this installation already holds data; use --force")
            self._refuse_a_rollback(contents.manifest, options["older_than_anchor"])
            database = next(p for n, p in contents.members.items() if n.startswith("database"))
            try:
                snapshot.restore(database)
            except snapshot.SnapshotError as error:
                raise CommandError(str(error)) from error
            restored = json.loads(contents.members["secrets.json"].read_text())
        self._write_secrets(restored)
        settings.AUDIT_KEY = bytes.fromhex(restored["audit_key"])
        problems = log.verify()
        if problems:
            raise CommandError(f"restored, but the audit chain is broken: {problems[0]}")
        self.stdout.write("restored; audit chain verified. Restart the application servers.")

    def _refuse_a_rollback(self, manifest: dict[str, Any], allowed: bool) -> None:
        """A backup that ends before the newest anchor would put back an older audit log:
        refused unless asked for by name, and said either way."""
        try:
            newest = anchor.newest()
        except anchor.NotConfigured:
            return
        except ValueError as forged:
            raise CommandError(str(forged)) from forged
        ends = manifest.get("audit_seq")
        if newest is None or (isinstance(ends, int) and ends >= newest.seq):
            return
        why = (
            f"this backup ends at audit entry {ends if ends is not None else '(unknown)'}, "
            f"before the newest anchor ({newest.seq}, {newest.at}): restoring it rolls the log back"
        )
        if not allowed:
            raise CommandError(f"{why}; use --older-than-anchor to restore it anyway")
        self.stdout.write(f"warning: {why}")

    def _write_secrets(self, restored: dict[str, str]) -> None:
        var = Path(settings.VAR_DIR)
        var.mkdir(parents=True, exist_ok=True)
        for name in SECRETS:
            path = var / f"{name}.secret"
            partial = path.with_name(path.name + ".restoring")
            handle = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(handle, "w") as secret:  # owner-only from its first byte
                secret.write(restored[name])
            partial.replace(path)
            variable = f"SAFEPASSAGE_{name.upper()}"
            if variable in os.environ:
                self.stderr.write(
                    f"{variable} is set and overrides {path}: give it the restored value."
                )
