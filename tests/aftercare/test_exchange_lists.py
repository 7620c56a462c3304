"""Exchange lists (issue #26): a dated, revocable choice beside the pathway, lists for the
programme's authority in CSV and PDF, only the new since the last one, and never anyone who
asked to stay off them."""

import io

import pytest
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from safepassage.aftercare import consents, exchange_lists
from safepassage.aftercare.models import Consent
from safepassage.programmes.roles import Role
from safepassage.reception import services as reception
from tests.conftest import audit_entries
from tests.fixtures.prisoners import received_case, register

pytestmark = pytest.mark.django_db


def prisoner(world, front, surname: str, number: str):
    case = received_case(world, front, Client())
    register(world, case, surname=surname, service_number=number)
    case.refresh_from_db()
    return case


def choose(world, case, kind: str) -> Consent:
    return consents.record_consent(
        case, kind, language="ru", user=world.staff[Role.AFTERCARE], keyring=world.keyring
    )


def every_list(world) -> list[str]:
    """Every format, all and only-new, as the text a reader of the file sees."""
    texts = []
    for fmt in ("csv", "pdf"):
        for only_new in (False, True):
            rows = exchange_lists.exchange_list(
                world.programme,
                only_new=only_new,
                fmt=fmt,
                user=world.staff[Role.RECEPTION],
                keyring=world.keyring,
            )
            if fmt == "csv":
                texts.append(exchange_lists.as_csv(rows))
            else:
                pdf = exchange_lists.as_pdf(rows, timezone.now(), "ru")
                pages = PdfReader(io.BytesIO(pdf)).pages
                texts.append(" ".join(page.extract_text() for page in pages))
    return texts


def test_who_asked_to_stay_off_the_lists_is_on_none_in_any_format_ever(world, front):
    listed = prisoner(world, front, "Листов", "АБ-100001")
    stays = prisoner(world, front, "Остаюшкин", "АБ-100002")
    changed_his_mind = prisoner(world, front, "Передумов", "АБ-100003")
    volunteer = prisoner(world, front, "Добровольцев", "АБ-100004")
    choose(world, listed, "on_exchange_lists")
    choose(world, stays, "off_exchange_lists")
    first = choose(world, changed_his_mind, "on_exchange_lists")
    choose(world, volunteer, "volunteer")
    choose(world, volunteer, "on_exchange_lists")
    before = every_list(world)
    consents.withdraw_consent(changed_his_mind, first.pk, user=world.staff[Role.AFTERCARE])
    choose(world, changed_his_mind, "off_exchange_lists")
    after = every_list(world)
    assert "Листов" in before[0]
    assert "АБ-100001" in before[0]
    assert "Листов" in before[2]  # the full PDF
    assert "Передумов" in before[0]  # while he asked to be on them
    for text in after:
        assert "Передумов" not in text
    for text in before + after:
        assert "Остаюшкин" not in text
        assert "Добровольцев" not in text


def test_the_list_holds_the_five_particulars_and_only_the_new_ones_since_the_last(world, front):
    first = prisoner(world, front, "Первов", "АБ-200001")
    choose(world, first, "on_exchange_lists")
    officer = world.staff[Role.AFTERCARE]
    rows = exchange_lists.exchange_list(
        world.programme, only_new=True, fmt="csv", user=officer, keyring=world.keyring
    )
    assert exchange_lists.as_csv(rows).splitlines() == [
        "reference,surname,first_names,rank,date_of_birth,service_number",
        f"{first.reference},Первов,Аркадий Петрович,рядовой,1994-03-07,АБ-200001",
    ]
    second = prisoner(world, front, "Второв", "АБ-200002")
    choose(world, second, "on_exchange_lists")
    rows = exchange_lists.exchange_list(
        world.programme, only_new=True, fmt="csv", user=officer, keyring=world.keyring
    )
    assert [row.reference for row in rows] == [second.reference]
    # A PDF list has not been made yet: its first "only new" holds both.
    rows = exchange_lists.exchange_list(
        world.programme, only_new=True, fmt="pdf", user=officer, keyring=world.keyring
    )
    assert [row.reference for row in rows] == [first.reference, second.reference]
    assert audit_entries("aftercare.exchange_list") == [
        (
            f"staff:{officer.pk}",
            {"prisoners": n, "only_new": True, "format": f},
        )
        for n, f in ((1, "csv"), (1, "csv"), (2, "pdf"))
    ]


def test_an_exchange_in_custody_closes_his_choice_and_no_later_list_names_him(world, front):
    case = prisoner(world, front, "Обменов", "АБ-300001")
    choose(world, case, "on_exchange_lists")
    reception_officer = world.staff[Role.RECEPTION]
    reception.add_event(
        case,
        kind="exchange",
        occurred_on=reception.local_day(timezone.now()),  # his day where he is held
        place="",
        details="",
        user=reception_officer,
        keyring=world.keyring,
    )
    chosen = Consent.objects.get(case=case, kind="on_exchange_lists")
    assert chosen.withdrawn_at is not None
    assert chosen.withdrawn_by == reception_officer
    assert audit_entries("aftercare.exchange_choice_closed", case_ref=case.reference) == [
        (f"staff:{reception_officer.pk}", {"kind": "on_exchange_lists"})
    ]
    for text in every_list(world):
        assert "Обменов" not in text


def test_a_second_choice_needs_the_first_withdrawn(world, front):
    case = prisoner(world, front, "Двойнов", "АБ-400001")
    choose(world, case, "on_exchange_lists")
    with pytest.raises(consents.AftercareRefused, match="already recorded"):
        choose(world, case, "off_exchange_lists")
    assert audit_entries("aftercare.consent_given", case_ref=case.reference) == [
        (f"staff:{world.staff[Role.AFTERCARE].pk}", {"kind": "on_exchange_lists"})
    ]


def test_reception_and_after_care_download_the_list_and_no_one_else_sees_it(
    world, front, staff_client
):
    case = prisoner(world, front, "Скачин", "АБ-500001")
    choose(world, case, "on_exchange_lists")
    url = f"/ru/staff/p/{world.programme.slug}/exchange-lists/"
    for role in (Role.VERIFIER, Role.COORDINATOR, Role.INTAKE, Role.ADMIN, Role.VOLUNTEER):
        assert staff_client(role).get(url).status_code == 404, role
    desk = staff_client(Role.RECEPTION)
    assert "Списки для обмена" in desk.get(url).content.decode()
    csv = desk.post(url, {"format": "csv", "only_new": "on"})
    assert csv["Content-Type"] == "text/csv; charset=utf-8"
    assert csv["Content-Disposition"].startswith('attachment; filename="exchange-north-')
    assert "Скачин" in csv.content.decode("utf-8-sig")
    pdf = staff_client(Role.AFTERCARE).post(url, {"format": "pdf"})
    assert pdf["Content-Type"] == "application/pdf"
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Список для обмена" in text
    assert "Скачин" in text
    page = desk.get(url).content.decode()
    assert "Последний список CSV:" in page
