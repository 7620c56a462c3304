"""Registration under GC III Art. 17, through the reception officer's page."""

import re

import pytest

from safepassage.audit.models import AuditEvent
from safepassage.cases import retention, transitions
from safepassage.cases.models import Case
from safepassage.passage import notices
from safepassage.programmes.roles import Role
from safepassage.reception.models import Prisoner
from tests.conftest import audit_entries, refusal, text_of
from tests.fixtures.crossings import notify, under_way, verified_case
from tests.fixtures.prisoners import MANDATORY_ANSWERS, received_case, register

pytestmark = pytest.mark.django_db


def page(client, case, suffix=""):
    return f"/en/staff/case/{case.reference}/reception/{suffix}"


def test_arrival_starts_the_record_and_the_page_prefills_the_application(
    world, front, client, staff_client
):
    case = received_case(world, front, client)
    assert case.state == "received"
    prisoner = Prisoner.objects.get(case=case)
    assert prisoner.registered_at is None
    assert prisoner.particulars is None
    html = staff_client(Role.RECEPTION).get(page(client, case)).content.decode()
    # What he gave when applying is offered, to be confirmed with him.
    assert 'value="Zhukovsky"' in html
    assert 'value="AB-123456"' in html
    assert "(optional)" in html


def test_only_the_five_art_17_fields_are_required(world, front, client, staff_client):
    case = received_case(world, front, client)
    officer = staff_client(Role.RECEPTION)
    response = officer.post(page(client, case, "register/"), MANDATORY_ANSWERS)
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == "registered"
    officer = world.staff[Role.RECEPTION]
    assert audit_entries("case.register", case_ref=case.reference) == [
        (
            f"staff:{officer.pk}",
            {"source": "received", "target": "registered", "reason_given": False},
        )
    ]
    assert audit_entries("reception.registered", case_ref=case.reference) == [
        (f"staff:{officer.pk}", {"refused": 0})
    ]


@pytest.mark.parametrize("missing", list(MANDATORY_ANSWERS)[:5])
def test_a_missing_mandatory_field_is_refused_clearly_and_nothing_is_written(
    world, front, client, staff_client, missing
):
    case = received_case(world, front, client)
    answers = {**MANDATORY_ANSWERS, missing: ""}
    response = staff_client(Role.RECEPTION).post(page(client, case, "register/"), answers)
    assert response.status_code == 400
    assert "Required: a prisoner must give this (GC III Art. 17)." in response.content.decode()
    assert Prisoner.objects.get(case=case).particulars is None
    assert Case.objects.get(pk=case.pk).state == "received"


def test_a_refusal_is_recorded_and_cannot_carry_an_answer(world, front, client, staff_client):
    case = received_case(world, front, client)
    officer = staff_client(Role.RECEPTION)
    both = {**MANDATORY_ANSWERS, "place_of_birth": "Tver", "refused": ["place_of_birth"]}
    response = officer.post(page(client, case, "register/"), both)
    assert response.status_code == 400
    assert "Marked as declined" in response.content.decode()

    declined = {**MANDATORY_ANSWERS, "refused": ["place_of_birth", "family_address"]}
    assert officer.post(page(client, case, "register/"), declined).status_code == 302
    html = officer.get(page(client, case)).content.decode()
    assert re.search(r'<input[^>]*value="place_of_birth"[^>]*checked', html)
    assert not re.search(r'<input[^>]*value="health"[^>]*checked', html)
    event = AuditEvent.objects.get(case_ref=case.reference, action="reception.registered")
    assert event.detail == {"refused": 2}


def test_bad_dates_are_a_clear_message_not_a_500(world, front, client, staff_client):
    case = received_case(world, front, client)
    officer = staff_client(Role.RECEPTION)
    for bad in ("31.02.1994", "tomorrow", "01.01.2030"):
        response = officer.post(
            page(client, case, "register/"), {**MANDATORY_ANSWERS, "date_of_birth": bad}
        )
        assert response.status_code == 400
        text = response.content.decode()
        assert "DD.MM.YYYY" in text or "check the date of birth" in text


def test_a_correction_keeps_the_registration_and_is_audited(world, front, client, staff_client):
    case = received_case(world, front, client)
    officer = staff_client(Role.RECEPTION)
    officer.post(page(client, case, "register/"), MANDATORY_ANSWERS)
    first = Prisoner.objects.get(case=case).registered_at
    officer.post(page(client, case, "register/"), {**MANDATORY_ANSWERS, "rank": "ефрейтор"})
    prisoner = Prisoner.objects.get(case=case)
    assert prisoner.registered_at == first
    assert "ефрейтор" in officer.get(page(client, case)).content.decode()
    corrected = audit_entries("reception.particulars_corrected", case_ref=case.reference)
    assert corrected == [(f"staff:{world.staff[Role.RECEPTION].pk}", {"refused": 0})]


def test_only_reception_officers_open_the_reception_page(world, front, client, staff_client):
    case = received_case(world, front, client)
    for role in (Role.LIAISON, Role.INTAKE, Role.COORDINATOR, Role.VOLUNTEER, Role.ADMIN):
        other = staff_client(role)
        assert other.get(page(client, case)).status_code == 404
        assert other.get(page(client, case, "card.pdf")).status_code == 404
    assert staff_client(Role.RECEPTION).get(page(client, case)).status_code == 200


def test_every_read_of_the_record_is_audited(world, front, client, staff_client):
    case = received_case(world, front, client)
    officer = staff_client(Role.RECEPTION)
    before = AuditEvent.objects.filter(case_ref=case.reference, action="reception.read").count()
    officer.get(page(client, case))
    officer.get(page(client, case))
    after = AuditEvent.objects.filter(case_ref=case.reference, action="reception.read").count()
    assert after == before + 2


def test_reception_can_record_the_arrival_itself(world, front, client, staff_client):
    case = verified_case(client)
    crossing = notify(world, case, front.orchard)
    notices.acknowledge(
        crossing.pk, user=world.staff[Role.LIAISON], keys=world.unit_keys, now=crossing.created_at
    )
    officer = staff_client(Role.RECEPTION)
    # Reception meets a person once he is on his way, not before (issue #16).
    assert officer.get(f"/en/staff/case/{case.reference}/").status_code == 404
    transitions.perform(
        case, "depart", roles=frozenset({Role.COORDINATOR}), actor="staff:coordinator"
    )
    early = officer.post(
        f"/en/staff/case/{case.reference}/action/", {"action": "arrive", "confirmed": "yes"}
    )
    assert "The window has not begun yet" in refusal(officer, early)
    assert Case.objects.get(pk=case.pk).state == "in_transit"
    under_way(world, crossing)
    response = officer.post(
        f"/en/staff/case/{case.reference}/action/", {"action": "arrive", "confirmed": "yes"}
    )
    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).state == "received"
    assert Prisoner.objects.filter(case=case).exists()
    crossing.refresh_from_db()
    assert crossing.outcome == "arrived"


def test_a_shredded_case_shows_its_dates_and_nothing_of_the_person(
    world, front, client, staff_client
):
    case = received_case(world, front, client)
    register(world, case)
    retention.shred(case, actor="system:test")
    officer = staff_client(Role.RECEPTION)
    page_html = officer.get(page(client, case)).content.decode()
    assert "destroyed under the retention rules" in page_html
    assert "Жуковский" not in page_html
    refused = officer.post(page(client, case, "register/"), MANDATORY_ANSWERS)
    assert refused.status_code == 409
    assert "destroyed" in refusal(officer, officer.get(page(client, case, "card.pdf")))
    after_care = staff_client(Role.AFTERCARE).get(f"/en/staff/case/{case.reference}/aftercare/")
    assert after_care.status_code == 200


def test_a_name_the_card_cannot_print_is_refused_clearly_not_dropped(
    world, front, client, staff_client
):
    case = received_case(world, front, client)
    officer = staff_client(Role.RECEPTION)
    answers = {**MANDATORY_ANSWERS, "first_names": "Иван 龍"}
    response = officer.post(page(client, case, "register/"), answers)
    assert response.status_code == 400
    assert "The capture card cannot print 龍" in response.content.decode()
    assert Prisoner.objects.get(case=case).particulars is None
    # Greek, Latin and Cyrillic print; so does what the card does with them.
    fine = {**MANDATORY_ANSWERS, "first_names": "Иван Ωμέγα Émile"}
    assert officer.post(page(client, case, "register/"), fine).status_code == 302
    pdf = officer.get(page(client, case, "card.pdf"))
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"


def test_an_event_dated_today_where_he_is_held_is_taken_at_any_hour(clock, world, front, client):
    """Capture and event are dated in the reception zone's calendar, whatever the hour in UTC."""
    from django.utils import timezone

    from safepassage.reception import services as reception

    case = received_case(world, front, client)
    register(world, case)
    today = reception.local_day(timezone.now())
    event = reception.add_event(
        case,
        kind="transfer",
        occurred_on=today,
        place="Camp 3",
        details="",
        user=world.staff[Role.RECEPTION],
        keyring=world.keyring,
    )
    assert event.occurred_on == today


def test_reception_finds_a_prisoner_by_service_number_or_name_and_birth(
    world, front, client, staff_client
):
    """Issue #27, point 15: through the blind indexes, nothing decrypted, audited."""
    from safepassage.cases import probes

    case = received_case(world, front, client)
    received_case(world, front, client, surname="Other", service_number="XY-999")
    probes.index_pending(world.programme, world.keyring)
    desk = staff_client(Role.RECEPTION)
    url = "/ru/staff/p/north/reception/"
    page = desk.post(url, {"service_number": "ab 123456"}).content.decode()
    assert text_of(page, "found").startswith(case.reference)
    assert len(re.findall(r"<li>", page.split('id="found"')[1].split("</ul>")[0])) == 1
    by_name = desk.post(
        url, {"surname": "ZHUKOVSKY", "first_names": "Arkady Petrovich", "born": "07.03.1994"}
    ).content.decode()
    assert text_of(by_name, "found").startswith(case.reference)
    nobody = desk.post(url, {"service_number": "AB-000000"}).content.decode()
    assert text_of(nobody, "found") == "Никто из принятых не подходит."
    empty = desk.post(url, {})
    assert empty.status_code == 400
    assert "Укажите личный номер или фамилию." in text_of(empty.content.decode())
    reception_pk = world.staff[Role.RECEPTION].pk
    assert audit_entries("reception.searched") == [
        (f"staff:{reception_pk}", {"found": 1}),
        (f"staff:{reception_pk}", {"found": 1}),
        (f"staff:{reception_pk}", {"found": 0}),
    ]


EXPECTED_RU = "Ожидаются в ближайшие 24 часа"


def test_the_desk_prints_tonights_arrivals_and_the_prisoners_held(
    world, front, client, staff_client
):
    """Issue #27, point 15: window, sector and head count, never who; then who is held."""
    import io

    from django.utils import timezone
    from pypdf import PdfReader

    held = received_case(world, front, client)
    coming = notify(world, verified_case(client), front.quarry)
    notices.acknowledge(
        coming.pk, user=front.other_liaison, keys=world.unit_keys, now=timezone.now()
    )
    response = staff_client(Role.RECEPTION).get("/ru/staff/p/north/reception/desk.pdf")
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(PdfReader(io.BytesIO(response.content)).pages[0].extract_text().split())
    assert EXPECTED_RU in text
    assert "Quarry" in text
    assert "Сколько человек переходит" in text
    assert held.reference in text
    assert "Zhukovsky" not in text
    assert coming.case.reference not in text  # the one coming is never named
    reception_pk = world.staff[Role.RECEPTION].pk
    assert audit_entries("reception.sheet_printed") == [(f"staff:{reception_pk}", {"prisoners": 1})]
