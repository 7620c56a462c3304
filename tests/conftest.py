"""Shared fixtures: a programme with one staff member per role, signed in the real way."""

import os
import re
import time
from dataclasses import dataclass
from datetime import datetime
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlencode

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client
from django.test.client import MULTIPART_CONTENT
from django.utils import translation
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from safepassage.cases import dossier
from safepassage.passage import plans
from safepassage.passage.models import ReceivingUnit
from safepassage.programmes.groupkeys import Keyring
from safepassage.programmes.models import Programme
from safepassage.programmes.roles import Role
from safepassage.programmes.services import add_staff, create_programme
from safepassage.vault import crypto

PASSWORD = "correct horse battery staple"

# Fixtures every directory shares: ask for them by name, import only helper functions.
pytest_plugins = ["tests.fixtures.clocks", "tests.fixtures.crossings", "tests.fixtures.prisoners"]


_multipart_post = Client.post


def _post_as_a_browser(self, path, data=None, content_type=None, **extra):
    """Django's test client sends multipart by default; a browser sends a form without a file
    urlencoded, and the site refuses multipart (middleware.NoUploadsMiddleware). A file in
    `data`, or an explicit content type, is sent as asked."""
    has_file = isinstance(data, dict) and any(hasattr(v, "read") for v in data.values())
    if content_type is None and not has_file and (data is None or isinstance(data, dict)):
        body = urlencode(data or {}, doseq=True)
        return _multipart_post(
            self, path, body, content_type="application/x-www-form-urlencoded", **extra
        )
    if content_type is None:
        content_type = MULTIPART_CONTENT
    return _multipart_post(self, path, data, content_type=content_type, **extra)


Client.post = _post_as_a_browser  # type: ignore[method-assign, assignment]


# Moments either side of each midnight a page counts days by (Moscow's, Kyiv's, UTC's), on a
# Sunday night so that weeks turn too, and just after the first midnight past each change of
# Kyiv's clocks. A test that counts or dates by day asks for `clock` and runs at each of them.
MIDNIGHTS = {
    "before-moscow-midnight": "2026-12-06T20:58:00+00:00",
    "after-moscow-midnight": "2026-12-06T21:00:30+00:00",
    "before-kyiv-midnight": "2026-12-06T21:58:00+00:00",
    "after-kyiv-midnight": "2026-12-06T22:00:30+00:00",
    "before-utc-midnight": "2026-12-06T23:58:00+00:00",
    "after-utc-midnight": "2026-12-07T00:00:30+00:00",
    "after-kyiv-summer-time-began": "2027-03-28T21:00:30+00:00",  # 00:00:30 on 29 March, UTC+3
    "after-kyiv-winter-time-began": "2026-10-25T22:00:30+00:00",  # 00:00:30 on 26 Oct, UTC+2
}


@pytest.fixture(params=list(MIDNIGHTS))
def clock(request):
    """The test runs at one of MIDNIGHTS, the clock moving on from there (time-machine, so
    Django's now, SQLite's stamps and TOTP codes all agree)."""
    with time_machine.travel(datetime.fromisoformat(MIDNIGHTS[request.param]), tick=True) as t:
        yield t


@pytest.fixture(autouse=True)
def test_clock():
    """`SAFEPASSAGE_TEST_CLOCK=2026-12-06T22:30:00+00:00 make test` runs every test at that
    moment: how to check that no test depends on the hour it happens to run."""
    moment = os.environ.get("SAFEPASSAGE_TEST_CLOCK")
    if not moment:
        yield
        return
    with time_machine.travel(datetime.fromisoformat(moment), tick=True):
        yield


@pytest.fixture(autouse=True)
def fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def own_cache(settings, request):
    """Each test its own cache: the database cache table outlives a transactional test's
    flush, and a chart's day counts cached by one test must not show in another's."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": request.node.nodeid,
        }
    }


@pytest.fixture(autouse=True)
def no_flood_limits(settings):
    """Tests send many applications from one client; the tests of the limits set their own."""
    settings.INTAKE_APPLICATIONS_PER_SESSION = 10_000
    settings.INTAKE_FLOOD_PER_MINUTE = 10_000
    settings.INTAKE_FORM_SECONDS = 0


@pytest.fixture(autouse=True)
def english_outside_requests():
    """Messages made outside a request (refusals from services) come in English, whatever
    language an earlier test's request left active in this thread. Pages choose their own
    language from the URL, as in production."""
    with translation.override("en"):
        yield


@dataclass
class World:
    programme: Programme
    keyring: Keyring  # every group's key: what all the key holders together hold
    staff: dict[Role, User]

    @property
    def keys(self) -> "plans.Keys":
        """What a key holder's session opens crossing plans with."""
        return plans.keys_in(self.programme.pk, self.keyring)

    @property
    def unit_keys(self) -> "plans.Keys":
        """What a liaison's session opens them with: unit keys only (his grants are
        exercised through the pages, signed in)."""
        units = ReceivingUnit.objects.filter(programme=self.programme)
        return plans.Keys(
            units={
                u.pk: crypto.unseal(self.keyring["plan"], bytes(u.sealed_private_key))
                for u in units
            }
        )

    def case_key(self, case) -> bytes:
        """The applicant's: his session holds his case's messages key."""
        key = dossier.case_key(case, self.keyring, "messages")
        assert key is not None
        return key


def make_world(slug: str = "north", name: str = "North") -> World:
    programme, keyring = create_programme(slug, name)
    staff = {
        role: add_staff(programme, f"{slug}-{role.value}", PASSWORD, [role], keyring=keyring)
        for role in Role
    }
    for user in staff.values():
        TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    return World(programme, keyring, staff)


@pytest.fixture
def world(db) -> World:
    return make_world()


def current_code(user: User) -> str:
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():06d}"


def sign_in(client: Client, user: User, password: str = PASSWORD) -> Client:
    response = client.post("/en/staff/login/", {"username": user.username, "password": password})
    assert response.status_code == 302, response.content[:500]
    response = client.post("/en/staff/second-factor/", {"token": current_code(user)})
    assert response.status_code == 302
    assert response["Location"] == "/en/staff/"
    return client


@pytest.fixture
def staff_client(world):
    def make(role: Role) -> Client:
        return sign_in(Client(), world.staff[role])

    return make


def form_token(html: str) -> str:
    match = re.search(r'name="token" value="([^"]+)"', html)
    assert match, "the form carries a submission token"
    return match.group(1)


def application(token: str, **overrides: str) -> dict[str, str]:
    data = {
        "intent": "apply",
        "direction": "Near the water tower east of Rabotino",
        "group": "alone",
        "surname": "Zhukovsky",
        "first_names": "Arkady Petrovich",
        "rank": "Private",
        "date_of_birth": "07.03.1994",
        "service_number": "AB-123456",
        "unit": "3rd motor rifle company",
        "service_type": "mobilised",
        "equipment": "",
        "message": "When can I go?",
        "token": token,
    }
    data.update(overrides)
    return data


def submit(client: Client, slug: str = "north", lang: str = "en", **overrides: str) -> str:
    """Apply through the real form; returns the codename shown."""
    page = client.get(f"/{lang}/{slug}/apply/")
    response = client.post(
        f"/{lang}/{slug}/apply/",
        application(form_token(page.content.decode()), **overrides),
        follow=True,
    )
    assert response.status_code == 200
    match = re.search(r'id="codename">([^<]+)<', response.content.decode())
    assert match, response.content.decode()[:3000]
    return match.group(1)


def enter(client: Client, codename: str, lang: str = "en"):
    return client.post(f"/{lang}/enter/", {"codename": codename})


class _TextOf(HTMLParser):
    """Collects the visible text of the element with one id (or of <main>)."""

    VOID = {"input", "img", "br", "meta", "link", "hr", "source", "wbr", "col"}

    def __init__(self, element_id: str | None) -> None:
        super().__init__()
        self.element_id = element_id
        self.open: list[bool] = []  # inside the element: one entry per open tag, True if hidden
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        attributes = dict(attrs)
        if self.open:
            hidden = self.open[-1] or tag in {"script", "style"} or "hidden" in attributes
            self.open.append(hidden)
        elif (attributes.get("id") == self.element_id) if self.element_id else tag == "main":
            self.open.append(False)

    def handle_endtag(self, tag):
        if tag not in self.VOID and self.open:
            self.open.pop()

    def handle_data(self, data):
        if self.open and not self.open[-1]:
            self.parts.append(data)


def found(pattern: str, text: str) -> str:
    """The first group of `pattern` in `text`; a clear failure when the page lacks it."""
    match = re.search(pattern, text)
    assert match, f"{pattern!r} is not on the page"
    return match.group(1)


def text_of(html: str, element_id: str | None = None) -> str:
    """What a person reads in the element `element_id` (or in <main>), spaces folded."""
    parser = _TextOf(element_id)
    parser.feed(html)
    assert parser.parts or element_id is None, f"no element #{element_id} on the page"
    return " ".join(" ".join(parser.parts).split())


def refusal(client: Client, response) -> str:
    """A refused POST goes back to its page (a reload cannot resend it); what that page says."""
    assert response.status_code == 302, response.status_code
    return text_of(client.get(response["Location"]).content.decode(), "action-error")


def audit_entries(action: str, **where) -> list[tuple[str, dict[str, Any]]]:
    """(actor, detail) of every audit entry recorded as `action`, oldest first, so a test can
    assert exactly what was written (how many, by whom, with what)."""
    from safepassage.audit.models import AuditEvent

    events = AuditEvent.objects.filter(action=action, **where).order_by("seq")
    return [(event.actor, event.detail) for event in events]
