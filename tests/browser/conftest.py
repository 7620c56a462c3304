"""Browser tests drive Debian's Chromium through Playwright: no browser is downloaded.

In CI a missing Chromium is a failure; on a developer's machine these tests skip, saying why.
"""

import os
import re
import shutil

import pytest

CHROMIUM = os.environ.get("SAFEPASSAGE_CHROMIUM", "/usr/bin/chromium")
# Playwright's sync API runs an event loop in this thread; the live server's database work
# happens in its own thread, but fixtures touch the database from this one.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        message = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return CHROMIUM


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def no_js_page(browser):
    context = browser.new_context(java_script_enabled=False, locale="ru-RU")
    page = context.new_page()
    yield page
    context.close()


# A snake_case token in what a person reads is a code that escaped its label.
RAW_CODE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")


def assert_no_raw_code(page) -> None:
    """No raw code (snake_case) in the visible text of the page."""
    found = RAW_CODE.findall(page.inner_text("body"))
    assert not found, f"raw code on {page.url}: {found}"
