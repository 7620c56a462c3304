"""The project's own deployment checks, run with Django's by `safepassage check-deploy`
(and by `check --deploy`): what must hold before real applicants are let in."""

import os
import re
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.db import DatabaseError

HEX_KEY = re.compile(r"^[0-9a-fA-F]{64}$")
FROM_ENVIRONMENT = {
    "SAFEPASSAGE_SECRET_KEY": None,
    "SAFEPASSAGE_CODENAME_PEPPER": HEX_KEY,
    "SAFEPASSAGE_AUDIT_KEY": HEX_KEY,
}


def _key_value(variable: str) -> str:
    if path := os.environ.get(f"{variable}_FILE"):
        try:
            return Path(path).read_text().strip()
        except OSError:
            return ""
    return os.environ.get(variable, "")


@register(Tags.security, deploy=True)
def keys_come_from_a_secret_store(**kwargs: Any) -> list[Error]:
    problems = []
    for variable, shape in FROM_ENVIRONMENT.items():
        value = _key_value(variable)
        if not value:
            problems.append(
                Error(
                    f"{variable} is not set: the key was generated into {settings.VAR_DIR}.",
                    hint="Keep it in a secret store and pass it in the environment.",
                    id="safepassage.E001",
                )
            )
        elif shape is not None and not shape.match(value):
            problems.append(Error(f"{variable} must be 64 hex digits.", id="safepassage.E002"))
    return problems


def _device(path: Path) -> int | None:
    """The device a path is on, or the nearest existing folder above it is on."""
    for place in (path, *path.parents):
        try:
            return place.stat().st_dev
        except OSError:
            continue
    return None


def _database_place() -> Path:
    """The database file (SQLite), or else var/, where backups and SQLite would be."""
    database = settings.DATABASES["default"]
    if database["ENGINE"] == "safepassage.sqlite":
        return Path(database["NAME"])
    return Path(settings.VAR_DIR)


@register(Tags.security, deploy=True)
def keys_are_not_beside_the_database(**kwargs: Any) -> list[Warning]:
    """The codename pepper and the audit key are what a copy of the database lacks: kept on
    the same disk, a copy of the disk has both."""
    problems = []
    database = _device(_database_place())
    for name in ("codename_pepper", "audit_key"):
        variable = f"SAFEPASSAGE_{name.upper()}"
        left_behind = Path(settings.VAR_DIR) / f"{name}.secret"
        key_file = os.environ.get(f"{variable}_FILE")
        if os.environ.get(variable) or key_file:
            if left_behind.exists():
                problems.append(
                    Warning(
                        f"A copy of {variable} lies beside the database: {left_behind}.",
                        hint="Delete it once the secret store holds the key.",
                        id="safepassage.W003",
                    )
                )
            if key_file and database is not None and _device(Path(key_file)) == database:
                problems.append(
                    Warning(
                        f"{variable}_FILE is on the same disk as the database.",
                        hint="Use systemd's LoadCredential (a tmpfs) or another secret store.",
                        id="safepassage.W004",
                    )
                )
    return problems


@register(Tags.security, deploy=True)
def the_audit_log_is_anchored(**kwargs: Any) -> list[Warning]:
    if settings.AUDIT_ANCHOR_KEY and settings.AUDIT_ANCHOR_DIR:
        return []
    return [
        Warning(
            "Audit anchors are not set up: a restored backup could roll the log back unnoticed.",
            hint="Set SAFEPASSAGE_AUDIT_ANCHOR_KEY(_FILE) and SAFEPASSAGE_AUDIT_ANCHOR_DIR "
            "(see docs/DEPLOY.md).",
            id="safepassage.W005",
        )
    ]


def _database_checked(kwargs: dict[str, Any]) -> bool:
    """Django runs checks that read the database only when asked to (`--database default`,
    which check-deploy passes)."""
    return "default" in (kwargs.get("databases") or [])


@register(Tags.security, deploy=True)
def two_factors_are_enforced(**kwargs: Any) -> list[Error | Warning]:
    problems: list[Error | Warning] = []
    if "django_otp.middleware.OTPMiddleware" not in settings.MIDDLEWARE:
        problems.append(Error("django-otp's middleware is missing.", id="safepassage.E003"))
    if settings.STAFF_KEY_PROFILE not in ("moderate", "sensitive"):
        problems.append(
            Error(
                "SAFEPASSAGE_STAFF_KEY_PROFILE must be 'moderate' or stronger: it wraps the key "
                "that opens every programme key granted to a person.",
                id="safepassage.E006",
            )
        )
    if settings.KDF_PROFILE == "minimum":
        problems.append(
            Error(
                "SAFEPASSAGE_KDF_PROFILE is 'minimum': staff passwords would be cheap to guess.",
                id="safepassage.E004",
            )
        )
    if not _database_checked(kwargs):
        return problems
    try:
        from django.contrib.auth.models import User

        unenrolled = (
            User.objects.filter(is_active=True, membership__isnull=False)
            .exclude(totpdevice__confirmed=True)
            .distinct()
            .count()
        )
    except DatabaseError:
        return problems  # not migrated yet: nothing to count
    if unenrolled:
        problems.append(
            Warning(
                f"{unenrolled} staff account(s) have no confirmed second factor yet.",
                hint="They enrol at their first sign-in: hand over the first password in "
                "person and have them sign in at once.",
                id="safepassage.W001",
            )
        )
    return problems


@register(Tags.security, deploy=True)
def every_programme_key_is_held(**kwargs: Any) -> list[Error]:
    """Each field group's key of each programme is granted to someone (or still travels in a
    first key holder's link): a key nobody holds opens its texts for nobody, ever."""
    if not _database_checked(kwargs):
        return []
    try:
        from safepassage.programmes.models import Invitation, KeyGrant, Programme
        from safepassage.programmes.roles import GROUPS

        held: dict[int, set[str]] = {}
        for programme_id, group in KeyGrant.objects.values_list("programme_id", "group"):
            held.setdefault(programme_id, set()).add(group)
        carried = set(
            Invitation.objects.filter(
                wrapped_programme_key__isnull=False, claimed_at__isnull=True
            ).values_list("programme_id", flat=True)
        )
        unheld = [
            (programme.slug, [group for group in GROUPS if group not in held.get(programme.pk, ())])
            for programme in Programme.objects.filter(is_demo=False).exclude(pk__in=carried)
        ]
    except DatabaseError:
        return []
    return [
        Error(
            f"Programme {slug!r}: nobody holds the key of {', '.join(groups)}; "
            "nobody can open those parts of its cases.",
            id="safepassage.E005",
        )
        for slug, groups in unheld
        if groups
    ]


@register(Tags.security, deploy=True)
def no_demo_in_production(**kwargs: Any) -> list[Warning]:
    if not _database_checked(kwargs):
        return []
    try:
        from safepassage.programmes.models import Programme

        demo = Programme.objects.filter(is_demo=True).exists()
    except DatabaseError:
        return []
    if demo:
        return [
            Warning(
                "The DEMO programme exists; its accounts were printed to a terminal.",
                hint="Delete it before real applicants are let in.",
                id="safepassage.W002",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def the_bot_token_does_not_cross_a_network_in_plain(**kwargs: Any) -> list[Warning]:
    from safepassage.bot.session import plain_http_off_loopback

    if not plain_http_off_loopback():
        return []
    return [
        Warning(
            "The Bot API server is reached over plain HTTP on another machine: the bot's token "
            "and every message cross the network readable.",
            hint="Run telegram-bot-api on this machine (127.0.0.1) or reach it over HTTPS "
            "(see docs/DEPLOY.md).",
            id="safepassage.W006",
        )
    ]
