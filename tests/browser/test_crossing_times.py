"""The crossing time each person reads, in a real browser, at a fixed server clock: the
coordinator (English) plans, the liaison (Russian, on a phone) acknowledges, the applicant
(Russian, JavaScript off) reads his instructions. Every page is also free of raw codes."""

from datetime import UTC, datetime

import pytest
from django.test import Client
from django.utils import timezone

from safepassage.passage.models import Crossing
from safepassage.programmes.roles import Role
from tests.browser.conftest import assert_no_raw_code
from tests.browser.test_crossing_journey import staff_sign_in
from tests.fixtures.crossings import verified_with_codename

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)  # the next window: 23:00–00:30 UTC


def test_everyone_reads_the_same_crossing_in_their_own_zone(
    world,
    front,
    live_server,
    browser,
    monkeypatch,
    settings,
):
    monkeypatch.setattr(timezone, "now", lambda: NOW)  # the live server's thread reads it too
    settings.PASSAGE_INSTRUCTION_LEAD_HOURS = 24
    case, codename = verified_with_codename(Client(), lang="ru")

    coordinator = browser.new_context().new_page()
    staff_sign_in(coordinator, live_server.url, world.staff[Role.COORDINATOR])
    coordinator.goto(f"{live_server.url}/en/staff/case/{case.reference}/crossing/")
    assert coordinator.locator("#suggested-window").inner_text() == (
        "Orchard · 28 Nov 2026, 01:00–02:30 · Kyiv time (UTC+2)"
    )
    coordinator.get_by_role("button", name="Send hold-fire notice").click()
    assert coordinator.locator("#active-window").inner_text() == (
        "28 Nov 2026, 01:00–02:30 · Kyiv time (UTC+2)"
    )
    assert_no_raw_code(coordinator)

    phone = browser.new_context(
        viewport={"width": 360, "height": 740}, is_mobile=True, locale="ru-RU"
    )
    liaison = phone.new_page()
    staff_sign_in(liaison, live_server.url, world.staff[Role.LIAISON])
    liaison.goto(live_server.url + "/ru/staff/")
    assert liaison.locator("#liaison-waiting").inner_text() == "1 уведомление ждёт вашего ответа"
    assert_no_raw_code(liaison)
    liaison.goto(live_server.url + "/ru/staff/notices/")
    crossing = Crossing.objects.get()
    assert liaison.locator(f"#notice-{crossing.pk} h2").inner_text() == (
        "Orchard · 28.11.2026, 01:00–02:30 · киевское время (UTC+2)"
    )
    assert liaison.locator(f"#notice-{crossing.pk}-left").inner_text() == (
        "окно начинается через 11 ч 0 мин"
    )
    assert liaison.evaluate("document.documentElement.scrollWidth") <= 360
    assert_no_raw_code(liaison)
    liaison.get_by_role("button", name="Подтвердить: огонь не открываем").click()
    assert Crossing.objects.get().status == "acknowledged"

    applicant_context = browser.new_context(
        java_script_enabled=False, locale="ru-RU", viewport={"width": 360, "height": 740}
    )
    applicant = applicant_context.new_page()
    applicant.goto(live_server.url + "/ru/enter/")
    assert applicant.locator("textarea#id_codename").is_visible()  # all eight words show
    applicant.get_by_label("Ваше кодовое слово").fill(codename)
    applicant.get_by_role("button", name="Войти").click()
    assert applicant.locator("#crossing-window").inner_text() == (
        "28.11.2026, 02:00–03:30 · московское время (UTC+3)"
    )
    assert applicant.evaluate("document.documentElement.scrollWidth") <= 360
    assert_no_raw_code(applicant)
    for context in (coordinator.context, phone, applicant_context):
        context.close()


def test_the_admin_and_volunteer_pages_in_russian_show_no_raw_code(
    world,
    front,
    live_server,
    browser,
):
    verified_with_codename(Client(), lang="ru")
    admin = browser.new_context(locale="ru-RU").new_page()
    staff_sign_in(admin, live_server.url, world.staff[Role.ADMIN])
    slug = world.programme.slug
    for path in ("", f"p/{slug}/sectors/", f"p/{slug}/audit/", f"p/{slug}/calibration/"):
        admin.goto(f"{live_server.url}/ru/staff/{path}")
        assert_no_raw_code(admin)
    volunteer = browser.new_context(locale="ru-RU").new_page()
    staff_sign_in(volunteer, live_server.url, world.staff[Role.VOLUNTEER])
    volunteer.goto(f"{live_server.url}/ru/staff/")
    assert "добровол" in volunteer.locator("#volunteer-intro").inner_text()
    assert_no_raw_code(volunteer)
    admin.context.close()
    volunteer.context.close()
