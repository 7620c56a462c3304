"""Issue #17's journey in Chromium: an admin invites a verifier, the verifier enrols with the
link, a key holder grants the keys of what a verifier reads, the verifier opens a case,
changes his password and still opens it; the admin deactivates him and his open session is
refused at its next request."""

import base64
import re
import time

import pytest
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from safepassage.cases.models import Case
from safepassage.programmes.roles import Role
from tests.browser.conftest import assert_no_raw_code
from tests.browser.test_crossing_journey import staff_sign_in
from tests.conftest import submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a long walk across the grey zone"
NEW_PASSWORD = "the water tower on the left"


def code(secret: str) -> str:
    totp = TOTP(base64.b32decode(secret), 30, 0, 6, 0)
    totp.time = time.time()
    return f"{totp.token():06d}"


def sign_in_as_vera(page, base: str, password: str, secret: str) -> None:
    # A code counts once: start a new 30-second step, as if half a minute had passed.
    TOTPDevice.objects.filter(user__username="vera").update(last_t=-1)
    page.context.clear_cookies()  # a new sign-in, as after closing the browser
    page.goto(base + "/en/staff/login/")
    page.fill("#id_username", "vera")
    page.fill("#id_password", password)
    page.locator("main button[type=submit]").click()
    page.fill("#id_token", code(secret))
    page.locator("main button[type=submit]").click()


def test_an_invited_verifier_joins_works_changes_password_and_is_offboarded(
    world, live_server, browser
):
    submit(Client())
    reference = Case.objects.get().reference
    base = live_server.url

    admin = browser.new_context().new_page()
    staff_sign_in(admin, base, world.staff[Role.ADMIN])
    admin.goto(f"{base}/en/staff/p/north/people/")
    admin.fill("#id_username", "vera")
    admin.get_by_label("Verifier").check()
    admin.get_by_role("button", name="Make the invitation link").click()
    link = admin.locator("#invitation-link").inner_text()
    assert link.startswith(base + "/en/staff/join/")

    vera = browser.new_context().new_page()
    vera.goto(link)
    assert vera.url == base + "/en/staff/join/"  # the token left the address bar
    vera.fill("#id_new_password1", PASSWORD)
    vera.fill("#id_new_password2", PASSWORD)
    vera.get_by_role("button", name="Continue").click()
    secret = vera.locator("#totp-secret").inner_text()
    vera.fill("#id_token", code(secret))
    vera.get_by_role("button", name="Confirm").click()
    assert len(vera.locator("#recovery-codes li").all()) == 10
    assert_no_raw_code(vera)
    vera.get_by_role("link", name="Sign in").click()
    sign_in_as_vera(vera, base, PASSWORD, secret)
    vera.goto(f"{base}/en/staff/case/{reference}/")
    assert "Waiting for programme keys" in vera.locator("main").inner_text()

    holder = browser.new_context().new_page()
    staff_sign_in(holder, base, world.staff[Role.VERIFIER])
    waiting = holder.locator("#waiting-for-key")
    assert "vera" in waiting.inner_text()
    assert "Verifier" in waiting.inner_text()
    assert "keys: identity, circumstances, messages, notes" in waiting.inner_text()
    waiting.get_by_role("button", name="Grant these keys").click()
    assert holder.locator("#waiting-for-key").count() == 0

    sign_in_as_vera(vera, base, PASSWORD, secret)
    vera.goto(f"{base}/en/staff/case/{reference}/")
    assert "Zhukovsky" in vera.locator("main").inner_text()

    vera.goto(f"{base}/en/staff/password/")
    vera.fill("#id_old_password", PASSWORD)
    vera.fill("#id_new_password1", NEW_PASSWORD)
    vera.fill("#id_new_password2", NEW_PASSWORD)
    vera.locator("#password-form button[type=submit]").click()
    sign_in_as_vera(vera, base, NEW_PASSWORD, secret)
    vera.goto(f"{base}/en/staff/case/{reference}/")
    assert "Zhukovsky" in vera.locator("main").inner_text()

    people = admin.goto(f"{base}/en/staff/p/north/people/")
    assert people is not None
    admin.get_by_role("link", name="vera").click()
    admin.get_by_role("button", name="Deactivate").click()
    admin.get_by_role("button", name="Confirm").click()
    assert "vera" not in admin.locator("#team").inner_text()

    vera.goto(f"{base}/en/staff/case/{reference}/")
    assert re.search(r"/en/staff/login/", vera.url)
