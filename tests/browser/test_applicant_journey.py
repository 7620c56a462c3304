"""With JavaScript off, in Russian: apply, get the codename, come back, read, reply, cancel."""

import pytest

from safepassage.cases import casework
from safepassage.cases.models import Case
from safepassage.programmes.roles import Role
from tests.browser.conftest import assert_no_raw_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_whole_applicant_journey_without_javascript(world, live_server, no_js_page):
    page = no_js_page
    requests_elsewhere = []
    page.on(
        "request",
        lambda r: (
            requests_elsewhere.append(r.url) if not r.url.startswith(live_server.url) else None
        ),
    )
    page.goto(live_server.url + "/")
    assert page.locator("html").get_attribute("lang") == "ru"
    page.get_by_role("link", name="Подать заявку").click()

    page.get_by_label("Где вы находитесь или куда вас отправляют?").fill("У водонапорной башни")
    page.get_by_label("Фамилия").fill("Журавлёв")
    page.get_by_label("Дата рождения").fill("07.03.1994")
    page.get_by_label("Что вы хотите сообщить или спросить").fill("Когда можно идти?")
    page.get_by_role("button", name="Отправить заявку").click()

    codename = page.locator("#codename").inner_text().strip()
    assert len(codename.split()) == 8
    assert_no_raw_code(page)
    page.go_back()  # the form again, not the browser's "send again?" page
    assert page.get_by_role("button", name="Отправить заявку").is_visible()
    page.go_forward()
    assert page.locator("#codename").inner_text().strip() == codename
    case = Case.objects.get()
    assert case.state == "applied"
    casework.staff_message(
        case,
        user=world.staff[Role.INTAKE],
        keyring=world.keyring,
        text="Оставайтесь на месте, мы напишем.",
    )

    page.get_by_role("link", name="Войти с кодовым словом сейчас").click()
    page.get_by_label("Ваше кодовое слово").fill(codename.upper())
    page.get_by_role("button", name="Войти").click()
    assert "Ваша заявка получена" in page.locator("#status").inner_text()
    assert page.get_by_text("Оставайтесь на месте, мы напишем.").is_visible()
    assert_no_raw_code(page)

    page.get_by_label("Ваше сообщение").fill("Понял, жду.")
    page.get_by_role("button", name="Отправить", exact=True).click()
    assert page.get_by_text("Понял, жду.").is_visible()

    page.get_by_role("link", name="Отменить мою заявку").click()
    page.get_by_role("button", name="Да, отменить").click()
    assert "Вы отменили заявку" in page.locator("#status").inner_text()
    case.refresh_from_db()
    assert case.state == "cancelled"

    cookies = page.context.cookies()
    assert [c["name"] for c in cookies] == ["sp"]
    assert cookies[0]["httpOnly"]
    assert cookies[0]["sameSite"] == "Strict"
    assert cookies[0]["expires"] == -1  # a session cookie: gone when the browser closes
    assert requests_elsewhere == []
