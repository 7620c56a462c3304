"""`safepassage check-deploy` refuses an installation that is not ready for real applicants."""

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django_otp.plugins.otp_totp.models import TOTPDevice

pytestmark = pytest.mark.django_db

KEY = "ab" * 32


@pytest.fixture
def production(settings, monkeypatch):
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
    return settings


def problems(capsys) -> str:
    with pytest.raises(SystemCheckError) as failure:
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
    assert "has no key grant" in problems(capsys)


def test_the_demo_programme_fails_it(world, production, capsys):
    call_command("seed-demo")
    assert "The DEMO programme exists" in problems(capsys)
