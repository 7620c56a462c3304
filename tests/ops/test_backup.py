"""Backups: encrypted, refused when altered, and restorable on a new machine, where every
applicant can still sign in with his codename and the audit chain still verifies."""

import io
import os
import subprocess
import sys
import uuid
from pathlib import Path

import nacl.pwhash
import psycopg
import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client

from safepassage.audit.models import AuditEvent
from safepassage.ops import backup
from tests.conftest import audit_entries, submit

LOW_COST = (nacl.pwhash.argon2id.OPSLIMIT_MIN, nacl.pwhash.argon2id.MEMLIMIT_MIN)
PASSPHRASE = "a long enough backup passphrase"


def sealed(data: bytes) -> bytes:
    out = io.BytesIO()
    backup.encrypt_stream(io.BytesIO(data), out, PASSPHRASE, cost=LOW_COST)
    return out.getvalue()


def opened(blob: bytes, passphrase: str = PASSPHRASE) -> bytes:
    return b"".join(backup.decrypt_stream(io.BytesIO(blob), passphrase))


def test_the_stream_round_trips_across_chunks():
    data = os.urandom(backup.CHUNK * 2 + 17)
    assert opened(sealed(data)) == data
    assert opened(sealed(b"")) == b""


def test_any_change_truncation_or_wrong_passphrase_is_refused():
    blob = sealed(os.urandom(backup.CHUNK + 5))
    for position in (0, backup.HEADER.size - 1, backup.HEADER.size + 30, len(blob) // 2, -1):
        altered = bytearray(blob)
        altered[position] ^= 0x01
        with pytest.raises(backup.BackupError, match=r"not a Safe Passage backup|wrong passphrase"):
            opened(bytes(altered))
    for cut in (10, backup.HEADER.size + 40, len(blob) - 1):
        with pytest.raises(backup.BackupError, match=r"not a Safe Passage backup|wrong passphrase"):
            opened(blob[:cut])
    with pytest.raises(backup.BackupError, match="data after the end"):
        opened(blob + b"\0")
    with pytest.raises(backup.BackupError, match="wrong passphrase, or the backup was altered"):
        opened(blob, "another long passphrase here")
    with pytest.raises(backup.BackupError, match="at least 16"):
        backup.encrypt_stream(io.BytesIO(b""), io.BytesIO(), "short")


def test_the_file_holds_no_plaintext(tmp_path):
    member = tmp_path / "database.sqlite3"
    member.write_bytes(b"Zhukovsky " * 100)
    target = tmp_path / "b.spbackup"
    backup.write(target, {member.name: member}, {"format": 1}, PASSPHRASE)
    assert b"Zhukovsky" not in target.read_bytes()
    assert oct(target.stat().st_mode & 0o777) == "0o600"
    extracted = tmp_path / "out"
    extracted.mkdir()
    contents = backup.read(target, PASSPHRASE, extracted)
    assert contents.members[member.name].read_bytes() == member.read_bytes()


def safepassage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    command = [str(Path(sys.executable).with_name("safepassage")), *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)


@pytest.fixture
def new_machine(tmp_path):
    """The environment of another installation: its own var directory and database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SAFEPASSAGE_")}
    env |= {"SAFEPASSAGE_VAR_DIR": str(tmp_path / "var"), "SAFEPASSAGE_KDF_PROFILE": "minimum"}
    env["SAFEPASSAGE_BACKUP_PASSPHRASE"] = PASSPHRASE
    created = None
    if connection.vendor == "postgresql":
        created = f"safepassage_restore_{uuid.uuid4().hex[:8]}"
        db = connection.settings_dict
        url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
        with psycopg.connect(f"{url}/postgres", autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{created}"')
        env["SAFEPASSAGE_DATABASE_URL"] = f"{url}/{created}"
    yield env
    if created:
        with psycopg.connect(f"{url}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{created}" WITH (FORCE)')


@pytest.mark.django_db(transaction=True)
def test_a_backup_restored_on_a_new_machine_lets_every_applicant_back_in(
    world, tmp_path, monkeypatch, new_machine
):
    codename = submit(Client())
    events = AuditEvent.objects.count()
    monkeypatch.setenv("SAFEPASSAGE_BACKUP_PASSPHRASE", PASSPHRASE)
    archive = tmp_path / "safepassage.spbackup"
    call_command("backup", str(archive))
    assert b"Zhukovsky" not in archive.read_bytes()

    checked = safepassage("restore", str(archive), "--check", env=new_machine)
    assert checked.returncode == 0, checked.stderr
    assert "backup intact" in checked.stdout
    restored = safepassage("restore", str(archive), env=new_machine)
    assert restored.returncode == 0, restored.stderr
    assert "audit chain verified" in restored.stdout

    probe = (
        "from safepassage.cases import applicant_writers; from safepassage.audit import log;"
        f"s = applicant_writers.enter_with_codename({codename!r});"
        "from safepassage.audit.models import AuditEvent;"
        "print(s is not None and not s.duress, log.verify() == [], AuditEvent.objects.count())"
    )
    shell = safepassage("shell", "-c", probe, env=new_machine)
    assert shell.returncode == 0, shell.stderr
    entered, intact, count = shell.stdout.split()[-3:]
    assert (entered, intact) == ("True", "True")
    assert int(count) == events + 1  # what was backed up, and the sign-in just made

    again = safepassage("restore", str(archive), env=new_machine)
    assert again.returncode != 0
    assert "already holds data" in again.stderr

    damaged = tmp_path / "damaged.spbackup"
    raw = bytearray(archive.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    damaged.write_bytes(bytes(raw))
    refused = safepassage("restore", str(damaged), "--check", env=new_machine)
    assert refused.returncode != 0
    assert "backup refused" in refused.stderr


@pytest.mark.django_db(transaction=True)
def test_a_backup_older_than_the_newest_anchor_is_refused_unless_asked_for(
    world, tmp_path, monkeypatch, settings, new_machine
):
    """Issue #22, point 8: putting back an older copy rolled the log back unnoticed."""
    from safepassage.audit import anchor

    submit(Client())
    monkeypatch.setenv("SAFEPASSAGE_BACKUP_PASSPHRASE", PASSPHRASE)
    archive = tmp_path / "older.spbackup"
    call_command("backup", str(archive))
    submit(Client())  # the log goes on, and the worker anchors it
    key, anchors = "11" * 32, tmp_path / "anchors"
    settings.AUDIT_ANCHOR_KEY, settings.AUDIT_ANCHOR_DIR = key, str(anchors)
    anchor.write()
    there = {**new_machine, "SAFEPASSAGE_AUDIT_ANCHOR_KEY": key}
    there["SAFEPASSAGE_AUDIT_ANCHOR_DIR"] = str(anchors)
    refused = safepassage("restore", str(archive), env=there)
    assert refused.returncode != 0
    assert "before the newest anchor" in refused.stderr
    assert "--older-than-anchor" in refused.stderr
    restored = safepassage("restore", str(archive), "--older-than-anchor", env=there)
    assert restored.returncode == 0, restored.stderr
    assert "warning: this backup ends at audit entry" in restored.stdout
    assert audit_entries("ops.backup_written") == [("system", {})]


def test_every_file_an_installation_creates_is_its_owners_only(tmp_path):
    """Under an ordinary shell umask (022), the database, its WAL, the secrets, the writers'
    lock and a backup are created owner-only, from their first byte."""
    var = tmp_path / "var"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SAFEPASSAGE_", "DJANGO_"))}
    env |= {
        "SAFEPASSAGE_VAR_DIR": str(var),
        "SAFEPASSAGE_KDF_PROFILE": "minimum",
        "SAFEPASSAGE_BACKUP_PASSPHRASE": PASSPHRASE,
    }

    def run(*args: str) -> str:
        command = [str(Path(sys.executable).with_name("safepassage")), *args]
        done = subprocess.run(
            command,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            preexec_fn=lambda: os.umask(0o022),
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    run("migrate", "--verbosity=0")
    run(
        "shell",
        "-c",
        "from safepassage.programmes.services import create_programme;"
        "create_programme('north', 'North')",
    )
    # The WAL lives while a connection is open: look at it from inside one.
    wal = run(
        "shell",
        "-c",
        "import os; from django.db import connection;"
        "from safepassage.programmes.services import create_programme;"
        "create_programme('south', 'South');"
        "print(oct(os.stat(connection.settings_dict['NAME'] + '-wal').st_mode & 0o777))",
    )
    assert wal.split()[-1] == "0o600"
    run("backup", str(tmp_path / "north.spbackup"))
    made = [var, *var.rglob("*"), tmp_path / "north.spbackup"]
    assert any(p.name.endswith(".sqlite3") for p in made)
    assert len(made) > 5
    loose = {str(p.relative_to(tmp_path)): oct(p.stat().st_mode & 0o777) for p in made}
    assert {p: mode for p, mode in loose.items() if int(mode, 8) & 0o077} == {}
