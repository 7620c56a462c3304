"""Issue #12's journey in Chromium: an operator records a call in Russian, the case appears
in the inbox, the operator replies from it, and the caller, on the web without JavaScript,
signs in with the codename read to him and reads the reply."""

import pytest

from safepassage.cases.models import Case
from safepassage.programmes.roles import Role
from tests.browser.conftest import assert_no_raw_code
from tests.browser.test_crossing_journey import staff_sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_call_reaches_the_inbox_and_the_caller_reads_the_reply_on_the_web(
    world, live_server, browser
):
    base = live_server.url
    operator = browser.new_context(locale="ru-RU").new_page()
    staff_sign_in(operator, base, world.staff[Role.INTAKE])
    operator.goto(f"{base}/ru/staff/p/north/call/")
    operator.get_by_label("Родственник, от его имени").check()
    operator.get_by_label("Мобилизован, ещё не на фронте").check()
    operator.get_by_label("Направление или район").fill("Запорожское направление")
    operator.locator("input[name=phone_inspected][value=yes]").check()
    operator.get_by_label("Я прочитал(а) ему правила безопасности").check()
    operator.get_by_role("button", name="Записать звонок и создать его кодовое слово").click()
    codename = operator.locator("#codename").inner_text()
    assert len(codename.split()) == 8
    operator.get_by_label("Кодовое слово, как он его повторил").fill(codename)
    operator.get_by_role("button", name="Звонящий повторил").click()
    assert "Родственник, от его имени" in operator.locator("#circumstances").inner_text()
    assert_no_raw_code(operator)

    operator.goto(f"{base}/ru/staff/p/north/inbox/")
    reference = Case.objects.get().reference
    row = operator.locator(f"#inbox-{reference}")
    assert "Горячая линия (оператор)" in row.inner_text()
    assert "Русский" in row.inner_text()
    row.get_by_label("Ответ").fill("Мы получили ваш звонок. Ждите инструкций здесь.")
    row.get_by_role("button", name="Отправить ответ").click()
    assert operator.locator(f"#inbox-{reference}").count() == 0

    caller_context = browser.new_context(java_script_enabled=False, locale="ru-RU")
    caller = caller_context.new_page()
    caller.goto(base + "/ru/enter/")
    caller.get_by_label("Ваше кодовое слово").fill(codename)
    caller.get_by_role("button", name="Войти").click()
    assert "Мы получили ваш звонок. Ждите инструкций здесь." in caller.locator("main").inner_text()
    caller_context.close()
