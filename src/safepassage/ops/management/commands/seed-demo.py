"""`safepassage seed-demo`: a clearly labelled demo programme with one staff account per role.

Prints the accounts once, when they are created; run again, it changes nothing.
"""

import os
import secrets
from datetime import timedelta
from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand
from django.utils import timezone

from safepassage.cases import submission, transitions
from safepassage.passage import notices, plans, windows
from safepassage.passage.models import Crossing, ReceivingUnit, Sector
from safepassage.programmes import invitations
from safepassage.programmes.groupkeys import Keyring
from safepassage.programmes.models import Invitation, Programme
from safepassage.programmes.roles import Role
from safepassage.programmes.services import add_staff, create_programme

DEMO_SLUG = "demo"
# Invented places: a demo must never describe a real crossing point.
# Names are data, not interface text: the demo gives them in Russian and English at once.
DEMO_SECTORS = [
    (
        "ДЕМО Север / DEMO North",
        "Сгоревшая роща, слева белая водонапорная башня",
        "От берёзовой рощи / From the birch grove",
        4.5,
    ),
    (
        "ДЕМО Юг / DEMO South",
        "Затопленный карьер, справа разрушенный мост",
        "По дороге вдоль карьера / Along the quarry road",
        3.0,
    ),
]
DEMO_NAME = "ДЕМО-программа (не настоящая) / DEMO programme (not real)"


class Command(BaseCommand):
    help = "Create the DEMO programme and its staff accounts (printed once)."

    def handle(self, *args: Any, **options: Any) -> None:
        if Programme.objects.filter(slug=DEMO_SLUG).exists():
            self.stdout.write(
                "Demo programme already exists; accounts were printed when it was made."
            )
            return
        programme, keyring = create_programme(DEMO_SLUG, DEMO_NAME, is_demo=True)
        lines = []
        staff: dict[Role, User] = {}
        site = f"http://127.0.0.1:{os.environ.get('PORT', '8000')}"
        # A reward claim needs two approvals by after-care officers other than the one who
        # verified it: three officers, so a demo claim can be paid.
        accounts = [(f"demo-{role.value}", role) for role in Role]
        accounts += [("demo-aftercare-2", Role.AFTERCARE), ("demo-aftercare-3", Role.AFTERCARE)]
        for username, role in accounts:
            password = "-".join(secrets.token_hex(3) for _ in range(4))
            user = add_staff(programme, username, password, [role], keyring=keyring)
            staff.setdefault(role, user)
            # The same enrolment link a programme admin makes for a lost authenticator.
            link = invitations.reset_link(
                programme, user, Invitation.Purpose.SECOND_FACTOR, by=None
            )
            lines.append(f"  {role.label:<34} {username:<18} {password}")
            lines.append(f"      {site}/ru/staff/join/{link.token}/")
        unit = ReceivingUnit.objects.create(
            programme=programme, name="ДЕМО принимающее подразделение / DEMO receiving unit"
        )
        unit.liaisons.add(staff[Role.LIAISON])
        sectors = [
            Sector.objects.create(
                programme=programme,
                name=name,
                description=description,
                approach=approach,
                distance_km=distance,
                receiving_unit=unit,
            )
            for name, description, approach, distance in DEMO_SECTORS
        ]
        # The coordinator grants the liaison his unit's key, as he would from his home.
        plans.grant_unit_key(
            programme.pk,
            unit.pk,
            staff[Role.LIAISON].pk,
            by=staff[Role.COORDINATOR],
            keyring=keyring,
        )
        _demo_arrival(programme, sectors[0], staff, keyring)
        self.stdout.write(
            "\n".join(
                [
                    "",
                    "=" * 72,
                    "DEMO PROGRAMME — for trying the system only. Not for real applicants.",
                    "Staff accounts (shown this once):",
                    *lines,
                    "",
                    "Under each account, its enrolment link (once, within 72 hours): open it,",
                    "give the password, scan the QR code with any TOTP authenticator app (or",
                    "type the key shown under it) and enter the code; keep the recovery codes.",
                    f"Then staff sign in at {site}/ru/staff/login/ (or /en/...).",
                    f"Applicants start at {site}/ (JavaScript not needed).",
                    "=" * 72,
                    "",
                ]
            )
        )


def _demo_arrival(
    programme: Programme, sector: Sector, staff: dict[Role, User], keyring: Keyring
) -> None:
    """One invented person taken through the real rules to `received`, so the reception
    desk has someone to register."""
    submission.submit_application(
        programme,
        {
            "surname": "DEMO Иванов",
            "first_names": "Иван Иванович",
            "rank": "рядовой",
            "date_of_birth": "1990-01-01",
            "service_number": "DEMO-0001",
            "direction": "DEMO North",
            "group": "alone",
        },
        token=secrets.token_urlsafe(32),
        language="ru",
        wants_to_apply=True,
    )
    case = programme.case_set.order_by("-pk").first()
    assert case is not None
    verifier = frozenset({Role.VERIFIER})
    for action in ("start_verification", "verify"):
        transitions.perform(case, action, roles=verifier, actor="system:seed-demo")
    # Planned two days ago for last night's window, so he arrived in the past.
    now = timezone.now()
    planned = now - timedelta(days=2)
    last_night = [w for w in windows.upcoming(planned) if w.end <= now][-1]
    crossing = notices.send_notice(
        case,
        user=staff[Role.COORDINATOR],
        keyring=keyring,
        sector_id=sector.pk,
        window_key=last_night.key,
        signal="arms_raised_spread",
        escort=Crossing.Escort.DRONE,
        head_count=1,
        now=planned,
    )
    # The demo opens the plan with the programme key; a liaison's session uses its unit key.
    keys = plans.keys_in(programme.pk, keyring)
    notices.acknowledge(crossing.pk, user=staff[Role.LIAISON], keys=keys, now=planned)
    notices.report_arrival(
        crossing.pk,
        user=staff[Role.LIAISON],
        keys=keys,
        arrived_at=last_night.start + timedelta(minutes=40),
        now=now,
    )
