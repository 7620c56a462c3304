"""A mother asks in Russian with JavaScript off and gets a codename; her son is registered; the
tracing officer confirms the candidate; reception records his consent to letters; his card is
reviewed by another officer; at the next release she reads the answer and his card, and
answers him (issue #24). The new staff pages fit a phone."""

import io
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from safepassage.families import inquirers, releases
from safepassage.families.models import Decision, Letter, Match
from safepassage.programmes.roles import Role
from tests.browser.conftest import assert_no_raw_code
from tests.browser.test_crossing_journey import staff_sign_in
from tests.fixtures.prisoners import received_case, register

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def phone(browser):
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, is_mobile=True, locale="ru-RU"
    )
    return context.new_page()


def fits_a_phone(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, page.url
    assert_no_raw_code(page)


def test_a_mother_asks_and_reads_his_answer_after_he_agreed(
    world, front, live_server, browser, no_js_page, tmp_path: Path
):
    son = received_case(world, front, Client())
    register(world, son, surname="Иванов", first_names="Сергей Петрович")

    mother = no_js_page
    mother.goto(f"{live_server.url}/ru/north/family/")
    mother.select_option("#id_relationship", "mother")
    mother.fill("#id_inquirer_name", "мама Галя")
    mother.fill("#id_region", "Тамбовская область")
    mother.fill("#id_question", "Как звали нашу собаку?")
    mother.fill("#id_answer", "Тузик")
    mother.fill("#id_s1_surname", "Иванова")  # her own surname's form, as mothers often write
    mother.fill("#id_s1_first_name", "Сергей")
    mother.fill("#id_s1_born", "1994")
    mother.get_by_role("button", name="Отправить запрос").click()
    codename = mother.locator("#codename").inner_text().strip()
    assert len(codename.split()) == 8
    assert_no_raw_code(mother)

    tracer = phone(browser)
    staff_sign_in(tracer, live_server.url, world.staff[Role.TRACING])
    tracer.goto(f"{live_server.url}/ru/staff/p/north/inquiries/")
    fits_a_phone(tracer)
    tracer.locator("#inquiries a").first.click()
    table = tracer.locator("#candidates-1").inner_text()
    assert "Иванов" in table
    assert "совпадает" in table
    fits_a_phone(tracer)
    tracer.screenshot(path=str(tmp_path / "candidates.png"), full_page=True)
    tracer.get_by_role("button", name="Это он").click()
    tracer.get_by_role("button", name="Подтвердить").click()
    assert tracer.locator("#match-1").inner_text().startswith("Совпадение подтвердил")
    assert Match.objects.get().prisoner.case == son

    officer = phone(browser)
    staff_sign_in(officer, live_server.url, world.staff[Role.RECEPTION])
    officer.goto(f"{live_server.url}/ru/staff/case/{son.reference}/reception/")
    officer.get_by_role("link", name="Родственники, которые о нём спрашивали").click()
    asking = officer.locator("main section").first.inner_text()
    assert "мама Галя (Мать), Тамбовская область" in asking
    assert "Как звали нашу собаку?" in asking
    fits_a_phone(officer)
    officer.get_by_label("Сказать это и разрешить письма и открытки с этим человеком").check()
    officer.get_by_role("button", name="Записать его решение").click()
    assert (
        officer.locator("main section p[id^=decision-]")
        .inner_text()
        .startswith("Его решение: Сказать это и разрешить письма")
    )
    assert Decision.objects.get().kind == "letters"
    fits_a_phone(officer)
    # He dictates a card; another officer reviews it.
    officer.select_option("select[name=kind]", "card")
    officer.fill("textarea[name=text]", "Мама, я жив и здоров. Не волнуйся.")
    officer.get_by_role("button", name="Записать на проверку").click()
    assert "Проверяет другой сотрудник." in officer.locator("ul.letters").inner_text()
    fits_a_phone(officer)
    reviewer = phone(browser)
    staff_sign_in(reviewer, live_server.url, world.staff[Role.AFTERCARE])
    reviewer.goto(f"{live_server.url}/ru/staff/case/{son.reference}/relatives/")
    reviewer.get_by_role("button", name="Пропустить").click()
    assert "пропущено" in reviewer.locator("ul.letters").inner_text()
    assert Letter.objects.get().review == "passed"
    reviewer.screenshot(path=str(tmp_path / "relatives.png"), full_page=True)
    fits_a_phone(reviewer)

    mother.goto(f"{live_server.url}/ru/family/enter/")
    mother.fill("#id_codename", codename)
    mother.get_by_role("button", name="Открыть").click()
    default = "Сейчас у нас нет сведений, которыми мы можем поделиться."
    assert mother.locator("#answer").inner_text() == default  # not before a release

    releases.release_answers(inquirers.next_release(timezone.now()))
    mother.reload()
    assert mother.locator("#answer").inner_text() == (
        "О первом человеке, о котором вы спрашивали: он жив и зарегистрирован как "
        "военнопленный; его данные передаются в Центральное агентство по розыску МККК."
    )
    assert "не отвечаем, погиб ли человек" in mother.locator("#no-deaths").inner_text()
    assert "Мама, я жив и здоров. Не волнуйся." in mother.locator("#letters").inner_text()
    with mother.expect_download() as download:
        mother.get_by_role("link", name="Открытка (PDF)").click()
    pdf = tmp_path / "card.pdf"
    download.value.save_as(pdf)
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.read_bytes())).pages)
    assert "ПОЧТА ВОЕННОПЛЕННЫХ" in text
    assert "Мама, я жив и здоров." in text
    mother.fill("textarea[name=text]", "Сынок, мы ждём тебя.")
    mother.get_by_role("button", name="Отправить письмо").click()
    assert "Ваше письмо · ждёт проверки" in mother.locator("#letters").inner_text()
    mother.screenshot(path=str(tmp_path / "answer.png"), full_page=True)
    assert_no_raw_code(mother)
