"""A copy of the database reveals no applicant: no name, no free text, no codename."""

import shutil
import subprocess
from itertools import pairwise

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from safepassage.aftercare import consents, rewards
from safepassage.cases import casework, transitions
from safepassage.cases.models import Case
from safepassage.passage import windows
from safepassage.passage.models import Crossing
from safepassage.programmes.roles import Role
from safepassage.reception import services as reception
from tests.conftest import enter, sign_in, submit
from tests.fixtures.prisoners import received_case, register

SURNAME = "Vyshnevetsky-Quillfeather"
FREE_TEXT = "behind the pumping station with two friends"
MESSAGE = "my wife is called Zlatoslava"


def database_bytes() -> bytes:
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        connection.close()  # let SQLite write everything out
        data = b""
        for suffix in ("", "-wal", "-journal"):
            try:
                with open(settings["NAME"] + suffix, "rb") as handle:
                    data += handle.read()
            except FileNotFoundError:
                pass
        return data
    if connection.vendor == "postgresql":
        pg_dump = shutil.which("pg_dump")
        if pg_dump is None:
            pytest.fail("pg_dump is needed to check the PostgreSQL data at rest")
        command = [
            pg_dump,
            "--data-only",
            "-h",
            settings["HOST"] or "127.0.0.1",
            "-p",
            str(settings["PORT"] or 5432),
            "-U",
            settings["USER"],
            settings["NAME"],
        ]
        return subprocess.run(command, check=True, capture_output=True).stdout
    pytest.fail(f"no raw-data check for {connection.vendor}")


@pytest.mark.django_db(transaction=True)
def test_the_stored_data_holds_no_name_free_text_message_or_codename(world):
    client = Client()
    codename = submit(client, surname=SURNAME, direction=FREE_TEXT, message=MESSAGE)
    applicant = Client()
    enter(applicant, codename)
    applicant.post("/en/my/reply/", {"text": MESSAGE + " again"})
    case = Case.objects.get()
    casework.add_note(case, user=world.staff[Role.VERIFIER], text=f"{SURNAME} seems sincere")
    # A staff session that has unlocked the key and read the case leaves nothing behind.
    verifier = sign_in(Client(), world.staff[Role.VERIFIER])
    assert SURNAME in verifier.get(f"/en/staff/case/{case.reference}/").content.decode()

    raw = database_bytes()
    assert len(raw) > 10_000
    for secret in [SURNAME, FREE_TEXT, MESSAGE, codename, "Zlatoslava"]:
        assert secret.encode() not in raw, secret
        assert secret.encode("utf-16-le") not in raw, secret
    # Nor in another spacing: no two adjacent words of it, however joined. (A lone word can
    # be ordinary text: pg_dump writes "database version", and "version" is a codename word.)
    for first, second in pairwise(codename.split()):
        for joiner in (" ", "-", ""):
            assert f"{first}{joiner}{second}".encode() not in raw
    for key in world.keyring.values():
        assert key not in raw


PRISONER_SURNAME = "Quillfeather-Obolensky"
FAMILY_ADDRESS = "Lilac Street 17, Torzhok"
HOSPITAL = "Ward of Saint Pantaleon"
EQUIPMENT = "T-72B3 with hull number 417"


@pytest.mark.django_db(transaction=True)
def test_reception_and_after_care_records_are_ciphertext_at_rest(world, front):
    case = received_case(world, front, Client())
    register(world, case, surname=PRISONER_SURNAME, family_address=FAMILY_ADDRESS)
    officer, key = world.staff[Role.RECEPTION], world.keyring
    reception.add_event(
        case,
        kind="hospital",
        occurred_on=reception.local_day(timezone.now()),
        place=HOSPITAL,
        details="",
        user=officer,
        keyring=key,
    )
    consents.record_consent(
        case, "exchange", language="ru", user=world.staff[Role.AFTERCARE], keyring=key
    )
    rewards.record_equipment(
        case,
        category="tank",
        description=EQUIPMENT,
        handed_over_on=reception.local_day(timezone.now()),
        user=world.staff[Role.AFTERCARE],
        keyring=key,
    )
    statement = "Я прошу вернуть меня на родину"
    raw = database_bytes()
    for secret in [PRISONER_SURNAME, FAMILY_ADDRESS, HOSPITAL, EQUIPMENT, statement]:
        assert secret.encode() not in raw, secret


@pytest.mark.django_db(transaction=True)
def test_a_copy_of_the_database_reveals_no_crossing_plan(world, front, settings):
    """Issue #16, point 3: sector words, the window, the signal and the survival figures of
    a crossing are sealed; only the receiving unit and the night stay plain."""
    settings.PASSAGE_INSTRUCTION_LEAD_HOURS = 24 * 9
    client = Client()
    codename = submit(client)
    case = Case.objects.get()
    for action in ("start_verification", "verify"):
        transitions.perform(case, action, roles=frozenset({Role.VERIFIER}), actor="staff:t")
    window = windows.upcoming(timezone.now())[0]
    coordinator = sign_in(Client(), world.staff[Role.COORDINATOR])
    planned = coordinator.post(
        f"/en/staff/case/{case.reference}/crossing/plan/",
        {
            "sector": front.orchard.pk,
            "window": window.key,
            "signal": "white_cloth_arm",
            "escort": "drone",
            "head_count": "3",
        },
    )
    assert planned.status_code == 302
    # The liaison reads and acknowledges it with his unit's key, the applicant reads his
    # instructions with his case key, the coordinator reads the plan with the programme key.
    liaison = sign_in(Client(), world.staff[Role.LIAISON])
    crossing = Crossing.objects.get()
    notice = liaison.get("/en/staff/notices/").content.decode()
    assert "White cloth on the arm" in notice
    assert front.orchard.approach in notice
    liaison.post(f"/en/staff/notices/{crossing.pk}/acknowledge/")
    applicant = Client()
    enter(applicant, codename)
    status = applicant.get("/en/my/").content.decode()
    assert "White cloth on the arm" in status
    assert front.orchard.description in status
    assert (
        "Orchard" in coordinator.get(f"/en/staff/case/{case.reference}/crossing/").content.decode()
    )

    raw = database_bytes()
    zone = windows.window_zone()
    moments = [window.start, window.start.astimezone(zone), window.end]
    words = [
        front.orchard.name,
        front.orchard.description,
        front.orchard.approach,
        front.quarry.name,
        "white_cloth_arm",
        "White cloth on the arm",
    ]
    for secret in words:
        assert secret.encode() not in raw, secret
    for moment in moments:
        for written in (f"{moment:%Y-%m-%d %H:%M}", f"{moment:%Y-%m-%dT%H:%M}"):
            assert written.encode() not in raw, written
    crossing.refresh_from_db()
    assert crossing.status == "acknowledged"
    assert crossing.unit == front.orchard.receiving_unit


@pytest.mark.django_db(transaction=True)
def test_a_copy_of_the_database_does_not_say_where_the_leaflets_fell(world):
    """Issue #22, point 7: a campaign's name and area ("Покровск, 3-я рота") were plain.
    The admin creates one through his page and reads it back; the stored bytes hold
    neither."""
    from safepassage.outreach.models import Campaign

    admin = sign_in(Client(), world.staff[Role.ADMIN])
    created = admin.post(
        "/ru/staff/p/north/campaigns/",
        {
            "name": "Листовки над Тернуватой",
            "medium": "leaflet",
            "language": "ru",
            "area": "Покровск, 3-я рота",
            "starts_on": "2026-11-01",
        },
    )
    assert created.status_code == 302, created.content.decode()[:2000]
    campaign = Campaign.objects.get()
    page = admin.get("/ru/staff/p/north/campaigns/").content.decode()
    assert "Листовки над Тернуватой" in page
    assert "Покровск, 3-я рота" in page
    stored = database_bytes()
    for words in ("Листовки над Тернуватой", "Покровск, 3-я рота", "Тернуват", "3-я рота"):
        assert words.encode() not in stored, words
    assert campaign.code.encode() in stored  # the code is not secret: it is printed


@pytest.mark.django_db(transaction=True)
def test_a_copy_of_the_database_does_not_say_which_cases_a_campaign_brought(world):
    """Issue #22, point 7: `Case.campaign` was a plain column. Now it is sealed by the server,
    the same length whether or not he came with a code; the figures read counters."""
    from safepassage.outreach import codes
    from safepassage.outreach.figures import tables
    from safepassage.outreach.models import Campaign

    leaflet = Campaign.objects.create(
        programme=world.programme,
        name="Tokmak",
        medium="leaflet",
        language="ru",
        starts_on=timezone.now().date(),
        code=codes.new_code(),
    )
    with_code = Client()
    with_code.get(f"/ru/r/{leaflet.code}/")
    submit(with_code)
    submit(Client())
    columns = [
        column.name
        for column in connection.introspection.get_table_description(
            connection.cursor(), "cases_case"
        )
    ]
    assert "campaign_id" not in columns
    with connection.cursor() as cursor:
        cursor.execute("SELECT campaign_sealed FROM cases_case ORDER BY id")
        stored = [row[0] for row in cursor.fetchall()]
    assert len(stored) == 2
    assert len(stored[0]) == len(stored[1])
    assert all(value.startswith("sealed:") for value in stored)
    # The server still knows, and counts: the campaign's week shows one application.
    came, alone = Case.objects.order_by("pk")
    assert (came.campaign_id, alone.campaign_id) == (leaflet.pk, None)
    (table,) = tables(world.programme)
    assert table.total[0] == "< 5"
