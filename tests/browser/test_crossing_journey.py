"""Coordinator plans, the liaison acknowledges on a phone, the applicant (no JavaScript,
Russian) reads his instructions."""

import pytest
from django.test import Client

from safepassage.passage.models import Crossing
from safepassage.programmes.roles import Role
from tests.conftest import PASSWORD, current_code
from tests.fixtures.crossings import verified_with_codename

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def staff_sign_in(page, base, user):
    page.goto(base + "/en/staff/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.locator("button[type=submit]").first.click()
    page.fill("#id_token", current_code(user))
    page.locator("main button[type=submit]").first.click()


def test_coordinator_schedules_liaison_acknowledges_applicant_reads(
    world,
    front,
    live_server,
    browser,
    settings,
):
    settings.PASSAGE_INSTRUCTION_LEAD_HOURS = 24 * 9
    case, codename = verified_with_codename(Client(), lang="ru")

    coordinator = browser.new_context().new_page()
    staff_sign_in(coordinator, live_server.url, world.staff[Role.COORDINATOR])
    coordinator.goto(f"{live_server.url}/en/staff/case/{case.reference}/crossing/")
    assert (
        coordinator.locator("#p-coordinated").inner_text()
        > coordinator.locator("#p-uncoordinated").inner_text()
    )
    coordinator.get_by_role("button", name="Send hold-fire notice").click()
    assert "Awaiting acknowledgement" in coordinator.locator("#active-crossing").inner_text()

    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    liaison = phone.new_page()
    staff_sign_in(liaison, live_server.url, world.staff[Role.LIAISON])
    liaison.goto(live_server.url + "/en/staff/notices/")
    button = liaison.get_by_role("button", name="Acknowledge: we will hold fire")
    box = button.bounding_box()
    assert box["width"] <= 390
    assert box["x"] >= 0
    assert liaison.evaluate("document.documentElement.scrollWidth") <= 390
    button.click()
    assert "Acknowledged" in liaison.locator("article.hold-fire").inner_text()
    assert Crossing.objects.get().status == "acknowledged"

    applicant_context = browser.new_context(java_script_enabled=False, locale="ru-RU")
    applicant = applicant_context.new_page()
    applicant.goto(live_server.url + "/ru/enter/")
    applicant.get_by_label("Ваше кодовое слово").fill(codename)
    applicant.get_by_role("button", name="Войти").click()
    instructions = applicant.locator("#instructions").inner_text()
    assert "Ваш переход" in instructions
    assert "московское время" in instructions
    assert "Поднимите обе руки" in instructions
    assert applicant.locator("#instructions img").first.is_visible()
    applicant.get_by_role("button", name="Я приду").click()
    assert Crossing.objects.get().applicant_confirmed_at is not None
    for context in (coordinator.context, phone, applicant_context):
        context.close()
