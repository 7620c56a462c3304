"""Where a backup passphrase comes from: a file given on the command line, else
SAFEPASSAGE_BACKUP_PASSPHRASE. Never an argument, so it stays out of process listings."""

import os
from pathlib import Path

from django.core.management.base import CommandError


def passphrase(path: Path | None) -> str:
    if path is not None:
        try:
            return path.read_text().strip()
        except OSError as error:
            raise CommandError(f"cannot read the passphrase file: {error.strerror}") from error
    value = os.environ.get("SAFEPASSAGE_BACKUP_PASSPHRASE", "")
    if not value:
        raise CommandError("set SAFEPASSAGE_BACKUP_PASSPHRASE or pass --passphrase-file")
    return value
