"""A consistent copy of the database, and putting one back: SQLite through its online backup
API, PostgreSQL through pg_dump and pg_restore in their custom format."""

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.db import DatabaseError, connection

from safepassage.programmes.models import Programme


class SnapshotError(Exception):
    pass


def vendor() -> str:
    return connection.vendor


def _pg_environment() -> dict[str, str]:
    db = connection.settings_dict
    environment = dict(os.environ)
    for variable, key in (
        ("PGHOST", "HOST"),
        ("PGPORT", "PORT"),
        ("PGUSER", "USER"),
        ("PGPASSWORD", "PASSWORD"),
        ("PGDATABASE", "NAME"),
    ):
        if db.get(key):
            environment[variable] = str(db[key])
    return environment


def dump(into: Path) -> Path:
    """The whole database, consistent at one moment, as a file in `into`."""
    if vendor() == "sqlite":
        target = into / "database.sqlite3"
        connection.ensure_connection()
        with sqlite3.connect(target) as copy:
            connection.connection.backup(copy)
        return target
    if vendor() == "postgresql":
        target = into / "database.pgdump"
        _run(["pg_dump", "--format=custom", "--no-owner", "--file", str(target)])
        return target
    raise SnapshotError(f"no backup for {vendor()}")


def is_empty() -> bool:
    """No programme yet: a fresh installation that a restore may fill."""
    try:
        return not Programme.objects.exists()
    except DatabaseError:  # not migrated at all
        return True


def restore(source: Path) -> None:
    """Replace the configured database with the snapshot."""
    if vendor() == "sqlite" and source.name == "database.sqlite3":
        target = Path(connection.settings_dict["NAME"])
        connection.close()
        partial = target.with_name(target.name + ".restoring")
        with sqlite3.connect(source) as snapshot, sqlite3.connect(partial) as copy:
            snapshot.backup(copy)
        with open(partial, "rb") as handle:
            os.fsync(handle.fileno())
        for stale in (Path(f"{target}-wal"), Path(f"{target}-shm")):
            stale.unlink(missing_ok=True)
        os.replace(partial, target)
        return
    if vendor() == "postgresql" and source.name == "database.pgdump":
        connection.close()
        _run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--exit-on-error",
                "--single-transaction",
                "--dbname",
                connection.settings_dict["NAME"],
                str(source),
            ]
        )
        return
    raise SnapshotError(f"this backup holds {source.name}, but the database is {vendor()}")


def _run(command: list[str]) -> None:
    program = shutil.which(command[0])
    if program is None:
        raise SnapshotError(f"{command[0]} is not installed (apt-get install postgresql-client)")
    # Fixed programs; the arguments are our own paths and the configured database name.
    result = subprocess.run(  # noqa: S603
        [program, *command[1:]], env=_pg_environment(), capture_output=True, text=True
    )
    if result.returncode:
        raise SnapshotError(f"{command[0]} failed: {result.stderr.strip()[:500]}")
