"""After the crossing, in Russian: the reception officer registers the prisoner and takes his
capture card; the after-care officer records the pathway he chose."""

import io
from pathlib import Path

import pytest
from django.test import Client
from pypdf import PdfReader

from safepassage.cases.models import Case
from safepassage.programmes.roles import Role
from safepassage.reception.models import Prisoner
from tests.browser.conftest import assert_no_raw_code
from tests.browser.test_crossing_journey import staff_sign_in
from tests.fixtures.prisoners import received_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_reception_registers_and_prints_the_card_after_care_records_the_pathway(
    world,
    front,
    live_server,
    browser,
    tmp_path: Path,
):
    case = received_case(world, front, Client())
    officer = browser.new_context(locale="ru-RU", accept_downloads=True).new_page()
    staff_sign_in(officer, live_server.url, world.staff[Role.RECEPTION])
    officer.goto(f"{live_server.url}/ru/staff/case/{case.reference}/reception/")
    # The application's answers are offered; he confirms them and declines one question.
    assert officer.input_value("#id_surname") == "Zhukovsky"
    assert_no_raw_code(officer)
    officer.fill("#id_rank", "рядовой")
    officer.get_by_label("Место рождения").first.fill("")
    officer.locator("input[name=refused][value=place_of_birth]").check()
    officer.get_by_role("button", name="Зарегистрировать").click()
    assert Case.objects.get(pk=case.pk).state == "registered"

    with officer.expect_download() as download:
        officer.get_by_role("link", name="Карточка взятия в плен (PDF)").click()
    pdf = tmp_path / "card.pdf"
    download.value.save_as(pdf)
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.read_bytes())).pages)
    assert "КАРТОЧКА ВЗЯТИЯ В ПЛЕН ВОЕННОПЛЕННОГО" in text
    assert "Zhukovsky" in text
    officer.get_by_role("button", name="Карточка отправлена семье").click()
    assert officer.locator("#confirm-step").is_visible()  # asked again: it cannot be undone
    assert_no_raw_code(officer)
    officer.get_by_role("button", name="Подтвердить").click()
    assert Prisoner.objects.get(case=case).card_sent_at is not None
    assert "просрочено" not in officer.content()
    assert_no_raw_code(officer)
    officer.goto(f"{live_server.url}/ru/staff/p/{world.programme.slug}/reception/")
    assert_no_raw_code(officer)
    officer.goto(f"{live_server.url}/ru/staff/")
    assert_no_raw_code(officer)

    aftercare = browser.new_context(locale="ru-RU").new_page()
    staff_sign_in(aftercare, live_server.url, world.staff[Role.AFTERCARE])
    aftercare.goto(f"{live_server.url}/ru/staff/case/{case.reference}/aftercare/")
    aftercare.select_option("#id_kind", "exchange")
    assert (
        "Что пришлось пережить вернувшимся"
        in aftercare.locator("#rights-before-a-pathway").inner_text()
    )
    aftercare.check("#id_read_and_agreed")
    aftercare.check("#id_shown_rights")
    aftercare.get_by_role("button", name="Записать его согласие").click()
    assert "Я прошу вернуть меня на родину" in aftercare.locator("#consents").inner_text()
    assert Case.objects.get(pk=case.pk).state == "pathway_chosen"
    assert_no_raw_code(aftercare)
