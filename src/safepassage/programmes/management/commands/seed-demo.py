"""`safepassage seed-demo`: a clearly labelled demo programme with one staff account per role.

Prints the accounts once, when they are created; run again, it changes nothing.
"""

import secrets
from typing import Any

from django.core.management.base import BaseCommand

from safepassage.programmes.models import Programme
from safepassage.programmes.roles import Role
from safepassage.programmes.services import add_staff, create_programme

DEMO_SLUG = "demo"


class Command(BaseCommand):
    help = "Create the DEMO programme and its staff accounts (printed once)."

    def handle(self, *args: Any, **options: Any) -> None:
        if Programme.objects.filter(slug=DEMO_SLUG).exists():
            self.stdout.write(
                "Demo programme already exists; accounts were printed when it was made."
            )
            return
        programme, private_key = create_programme(
            DEMO_SLUG, "DEMO programme (not real)", is_demo=True
        )
        lines = []
        for role in Role:
            username = f"demo-{role.value}"
            password = "-".join(secrets.token_hex(3) for _ in range(4))
            add_staff(programme, username, password, [role], private_key=private_key)
            lines.append(f"  {role.label:<26} {username:<18} {password}")
        self.stdout.write(
            "\n".join(
                [
                    "",
                    "=" * 72,
                    "DEMO PROGRAMME — for trying the system only. Not for real applicants.",
                    "Staff accounts (shown this once):",
                    *lines,
                    "",
                    "Staff sign in at http://127.0.0.1:8000/ru/staff/login/ (or /en/...).",
                    "At the first sign-in a QR code is shown: scan it with any TOTP",
                    "authenticator app (or type the key shown under it) and enter the code.",
                    "Applicants start at http://127.0.0.1:8000/ (JavaScript not needed).",
                    "=" * 72,
                    "",
                ]
            )
        )
