"""Issue #13's journey in Chromium: an admin creates a campaign and downloads its leaflet;
the leaflet's QR address, opened with JavaScript off, leads to the form; the applications
it brings appear under the campaign once they are enough to show."""

from pathlib import Path
from urllib.parse import urlsplit

import pytest

from safepassage.outreach.models import Campaign
from safepassage.programmes.roles import Role
from tests.browser.test_crossing_journey import staff_sign_in
from tests.outreach.test_leaflets import qr_addresses

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_campaign_leaflet_brings_applications_counted_under_it(world, live_server, browser):
    base = live_server.url
    admin = browser.new_context(accept_downloads=True).new_page()
    staff_sign_in(admin, base, world.staff[Role.ADMIN])
    admin.goto(f"{base}/en/staff/p/north/channels/")
    admin.fill("#id_onion_address", "c" * 56 + ".onion")
    admin.fill("#id_bot_username", "safe_passage_bot")
    admin.get_by_role("button", name="Save").click()
    admin.goto(f"{base}/en/staff/p/north/campaigns/")
    admin.fill("#id_name", "Leaflets over Tokmak")
    admin.select_option("#id_medium", "leaflet")
    admin.select_option("#id_language", "ru")
    admin.fill("#id_starts_on", "01.11.2026")
    admin.get_by_role("button", name="Save").click()
    campaign = Campaign.objects.get()
    with admin.expect_download() as download:
        admin.get_by_role("link", name="leaflet (A6)").click()
    pdf = Path(download.value.path()).read_bytes()
    onion = next(url for url in qr_addresses(pdf) if ".onion" in url)
    path = urlsplit(onion).path
    assert path == f"/ru/r/{campaign.code}/"

    for _ in range(5):
        soldier_context = browser.new_context(java_script_enabled=False, locale="ru-RU")
        soldier = soldier_context.new_page()
        soldier.goto(base + path)  # the QR's address, on this test's server
        assert soldier.url == f"{base}/ru/north/apply/"
        soldier.get_by_label("Где вы находитесь или куда вас отправляют?").fill("Токмак")
        soldier.get_by_role("button", name="Отправить").click()
        assert "кодовое слово" in soldier.locator("main").inner_text().lower()
        soldier_context.close()

    admin.goto(f"{base}/en/staff/p/north/campaigns/")
    figures = admin.locator(f"#campaign-{campaign.code} tfoot").inner_text()
    assert figures.split() == ["In", "all", "5", "0", "0", "0"]
