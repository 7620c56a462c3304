"""`safepassage check-deploy` refuses an installation that is not ready for real applicants."""

import os
import secrets
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django_otp.plugins.otp_totp.models import TOTPDevice

from safepassage.ops import checks

pytestmark = pytest.mark.django_db

KEY = "ab" * 32


@pytest.fixture
def production(settings, monkeypatch, tmp_path):
    # Set by the browser tests' conftest for Playwright's thread; never in a deployment.
    monkeypatch.delenv("DJANGO_ALLOW_ASYNC_UNSAFE", raising=False)
    monkeypatch.setenv("SAFEPASSAGE_SECRET_KEY", "a production secret key " * 3)
    monkeypatch.setenv("SAFEPASSAGE_CODENAME_PEPPER", KEY)
    monkeypatch.setenv("SAFEPASSAGE_AUDIT_KEY", KEY)
    settings.DEBUG = False
    settings.SECRET_KEY = "a production secret key " * 3
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.KDF_PROFILE = "interactive"
    settings.STAFF_KEY_PROFILE = "moderate"
    settings.AUDIT_ANCHOR_KEY, settings.AUDIT_ANCHOR_DIR = KEY, str(tmp_path / "anchors")
    settings.VAR_DIR = tmp_path / "var"  # no key generated into it
    settings.VAR_DIR.mkdir()
    return settings


def problems(capsys) -> str:
    with pytest.raises(SystemCheckError, match="System check identified") as failure:
        call_command("check-deploy")
    return str(failure.value)


def test_a_configured_installation_passes(world, production, capsys):
    call_command("check-deploy")
    assert "ready to deploy" in capsys.readouterr().out


def test_the_local_demo_setup_does_not(world, settings, capsys):
    found = problems(capsys)
    for what in ("SAFEPASSAGE_AUDIT_KEY is not set", "security.W012", "KDF_PROFILE"):
        assert what in found


def test_a_malformed_key_fails(world, production, monkeypatch, capsys):
    monkeypatch.setenv("SAFEPASSAGE_AUDIT_KEY", "short")
    assert "SAFEPASSAGE_AUDIT_KEY must be 64 hex digits" in problems(capsys)


def test_staff_without_a_second_factor_fail_it(world, production, capsys):
    TOTPDevice.objects.filter(user__username="north-intake").delete()
    assert "1 staff account(s) have no confirmed second factor" in problems(capsys)
    assert User.objects.filter(username="north-intake").exists()


def test_a_programme_nobody_can_open_fails_it(world, production, capsys):
    world.programme.keygrant_set.all().delete()
    assert "Programme 'north': nobody holds the key of identity, circumstances," in problems(capsys)


def test_a_group_key_nobody_holds_fails_it(world, production, capsys):
    world.programme.keygrant_set.filter(group="volunteer").delete()
    assert (
        "Programme 'north': nobody holds the key of volunteer; nobody can open those parts"
        in problems(capsys)
    )


def test_the_demo_programme_fails_it(world, production, capsys):
    call_command("seed-demo")
    assert "The DEMO programme exists" in problems(capsys)


def test_a_key_left_beside_the_database_is_warned_of(world, production, capsys):
    (production.VAR_DIR / "codename_pepper.secret").write_text(KEY)
    found = problems(capsys)
    assert "A copy of SAFEPASSAGE_CODENAME_PEPPER lies beside the database" in found


def test_a_key_file_on_the_databases_disk_is_warned_of(world, production, monkeypatch, capsys):
    database = production.VAR_DIR / "safepassage.sqlite3"
    monkeypatch.setattr(checks, "_database_place", lambda: database)
    key_file = production.VAR_DIR / "audit.key"
    key_file.write_text(KEY)
    monkeypatch.delenv("SAFEPASSAGE_AUDIT_KEY")
    monkeypatch.setenv("SAFEPASSAGE_AUDIT_KEY_FILE", str(key_file))
    assert "SAFEPASSAGE_AUDIT_KEY_FILE is on the same disk as the database" in problems(capsys)


def test_a_key_file_elsewhere_passes(world, production, monkeypatch, capsys):
    shm = Path("/dev/shm")
    if not shm.is_dir() or shm.stat().st_dev == production.VAR_DIR.stat().st_dev:
        pytest.skip("no tmpfs apart from the test's var directory on this machine")
    monkeypatch.setattr(checks, "_database_place", lambda: production.VAR_DIR / "db.sqlite3")
    with tempfile.NamedTemporaryFile("w", dir=shm) as key_file:
        key_file.write(KEY)
        key_file.flush()
        monkeypatch.delenv("SAFEPASSAGE_AUDIT_KEY")
        monkeypatch.setenv("SAFEPASSAGE_AUDIT_KEY_FILE", key_file.name)
        call_command("check-deploy")
    assert "ready to deploy" in capsys.readouterr().out


DEPLOY = Path(__file__).resolve().parents[2] / "docs" / "DEPLOY.md"


def documented_environment() -> dict[str, str]:
    """The variables of DEPLOY.md's environment block, as written there."""
    text = DEPLOY.read_text()
    block = text[text.index("## Environment") :]
    block = block[block.index("```sh") + 5 : block.index("```", block.index("```sh") + 5)]
    variables = {}
    for line in block.strip().splitlines():
        name, _, value = line.partition("=")
        variables[name.strip()] = value.split("#")[0].strip()
    return variables


def test_the_documented_deployment_passes_its_own_check(tmp_path):
    """check-deploy, in a fresh process, with exactly DEPLOY.md's variables. Only what cannot
    exist here changes: the keys are written where the block says systemd would put them
    (a tmpfs), and the database is a fresh SQLite file instead of db.internal."""
    documented = documented_environment()
    shm = Path("/dev/shm")
    if not shm.is_dir() or shm.stat().st_dev == tmp_path.stat().st_dev:
        pytest.skip("no tmpfs apart from the test's own folder on this machine")
    credentials = Path(tempfile.mkdtemp(dir=shm))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SAFEPASSAGE_", "DJANGO_"))}
    env |= documented
    for name, value in documented.items():
        if name.endswith("_FILE"):
            key = credentials / Path(value).name
            key.write_text(secrets.token_urlsafe(50) if "SECRET" in name else secrets.token_hex(32))
            env[name] = str(key)
    del env["SAFEPASSAGE_DATABASE_URL"]
    env["SAFEPASSAGE_VAR_DIR"] = str(tmp_path / "var")
    command = str(Path(sys.executable).with_name("safepassage"))
    try:
        for args in (["migrate", "--verbosity=0"], ["check-deploy"]):
            done = subprocess.run(
                [command, *args], env=env, capture_output=True, text=True, timeout=300
            )
            assert done.returncode == 0, done.stderr
        assert "ready to deploy" in done.stdout
    finally:
        shutil.rmtree(credentials)


def test_an_unanchored_audit_log_is_warned_of(world, production, capsys):
    production.AUDIT_ANCHOR_DIR = ""
    assert "Audit anchors are not set up" in problems(capsys)
