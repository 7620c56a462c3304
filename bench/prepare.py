"""Prepares the bench server's database: the bench programme, one staff account with its
second factor, and N bulk-generated cases, each encrypted for real (its identity,
circumstances and messages keys, sealed to those groups' programme keys; its answers split and
encrypted under them: what the bench account's pages open). Prints the account as JSON.

    python bench/prepare.py N       (with the environment from harness.server_env)
"""

import json
import os
import random
import secrets
import sys
from multiprocessing import Pool

import django

# What a large programme looks like: most applications wait for a deployment (dormant) or
# for an answer; well under 1% ever cross.
STATES = {
    "inquiry": 8,
    "applied": 30,
    "verifying": 2,
    "verified": 2,
    "dormant": 50,
    "scheduled": 0.1,
    "cancelled": 5,
    "rejected": 2,
    "compromised": 0.5,
    "registered": 0.2,
    "closed": 0.2,
}
CHUNK = 10_000
ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def reference(number: int) -> str:
    """References unique by construction (random ones would collide among a million)."""
    digits = []
    for _ in range(8):
        number, digit = divmod(number, len(ALPHABET))
        digits.append(ALPHABET[digit])
    raw = "".join(reversed(digits))
    return f"{raw[:4]}-{raw[4:]}"


GROUPS = ("identity", "circumstances", "messages")


def encrypted_rows(args: tuple[dict[str, bytes], int, int]) -> list[tuple[dict, bytes, bytes]]:
    from safepassage.vault import crypto

    publics, first, count = args
    rows = []
    for number in range(first, first + count):
        keys = {group: crypto.new_data_key() for group in GROUPS}
        circumstances = {"direction": f"направление {number % 97}", "group": "alone"}
        identity = {"surname": f"Фамилия{number}"}
        rows.append(
            (
                {group: crypto.seal(publics[group], key) for group, key in keys.items()},
                crypto.encrypt_json(keys["circumstances"], {**circumstances, "language": "ru"}),
                crypto.encrypt_json(keys["identity"], identity),
            )
        )
    return rows


def bulk_cases(programme, count: int) -> None:
    from django.db import connection
    from django.utils import timezone

    from safepassage.cases import counts
    from safepassage.cases.models import Case, CaseKey
    from safepassage.ops import statistics

    states, weights = zip(*STATES.items(), strict=True)
    now = timezone.now()
    offset = random.randrange(len(ALPHABET) ** 7)
    publics = {group: bytes(key.public_key) for group, key in programme.group_keys().items()}
    chunks = [(publics, first, min(CHUNK, count - first)) for first in range(0, count, CHUNK)]
    with Pool(os.cpu_count()) as pool:
        for (_, first, _), rows in zip(chunks, pool.imap(encrypted_rows, chunks), strict=True):
            cases = []
            for number, (_sealed, dossier, identity) in enumerate(rows, start=first):
                cases.append(
                    Case(
                        programme=programme,
                        reference=reference(offset + number),
                        state=random.choices(states, weights)[0],
                        dossier=dossier,
                        identity=identity,
                        indexed_at=now,
                        awaiting_reply=random.random() < 0.01,
                    )
                )
            Case.objects.bulk_create(cases, batch_size=2_000)
            CaseKey.objects.bulk_create(
                (
                    CaseKey(case=case, group=group, sealed=sealed_key)
                    for case, (sealed, _, _) in zip(cases, rows, strict=True)
                    for group, sealed_key in sealed.items()
                ),
                batch_size=6_000,
            )
    # The model stamps both dates with now; spread them over a year, as real intake would be.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE cases_case SET created_at = datetime('now', '-' || (abs(random()) % 525600)"
            " || ' minutes') WHERE programme_id = %s",
            [programme.pk],
        )
        cursor.execute(
            "UPDATE cases_case SET updated_at = created_at WHERE programme_id = %s", [programme.pk]
        )
    counts.recount(programme.pk)
    statistics.refresh()  # as the worker does every hour


def main() -> int:
    django.setup()
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from safepassage.cases.models import Case
    from safepassage.programmes.roles import Role
    from safepassage.programmes.services import add_staff, create_programme

    programme, keyring = create_programme("bench", "Bench programme")
    password = secrets.token_urlsafe(16)
    user = add_staff(
        programme,
        "bench-operator",
        password,
        [Role.INTAKE, Role.VERIFIER],
        keyring=keyring,
    )
    device = TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    if count:
        bulk_cases(programme, count)
    last = Case.objects.filter(programme=programme).order_by("-pk").first()
    sample = Case.objects.filter(pk__lte=random.randint(1, last.pk) if last else 0).last()
    account = {
        "username": user.username,
        "password": password,
        "totp_key": device.key,
        "reference": sample.reference if sample else "",
    }
    print(json.dumps(account))
    return 0


if __name__ == "__main__":
    sys.exit(main())
