"""Staff pages only on the staff host, applicant pages only on the onion; behind the
documented proxy Django knows HTTPS and django-axes knows the real address (issue #16)."""

import pytest
from django.test import Client
from django.urls import URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404
from django.utils import translation

from safepassage.lib.hosts import APPLICANT_URLCONF
from safepassage.programmes.roles import Role
from tests.conftest import PASSWORD, current_code, text_of

pytestmark = pytest.mark.django_db

STAFF, ONION = "staff.example.org", "abcdefghij.onion"


@pytest.fixture
def split(settings):
    settings.ALLOWED_HOSTS = [STAFF, ONION]
    settings.STAFF_HOSTS = [STAFF]
    settings.BEHIND_PROXY = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_HSTS_SECONDS = 31_536_000
    return settings


def onion() -> Client:
    return Client(HTTP_HOST=ONION, HTTP_X_FORWARDED_PROTO="http", HTTP_X_REAL_IP="127.0.0.1")


def staff(address: str = "198.51.100.7") -> Client:
    return Client(HTTP_HOST=STAFF, HTTP_X_FORWARDED_PROTO="https", HTTP_X_REAL_IP=address)


def test_the_onion_serves_no_staff_page_and_says_so_as_for_any_unknown_page(world, split):
    for path in ("/ru/staff/login/", "/en/staff/", "/ru/staff/p/north/queue/"):
        unknown = onion().get(path[:4] + "no-such-page/")
        response = onion().get(path)
        assert response.status_code == 404
        assert text_of(response.content.decode()) == text_of(unknown.content.decode())
    assert onion().get("/ru/north/apply/").status_code == 200
    assert onion().get("/ru/enter/").status_code == 200


def test_the_onion_cannot_even_resolve_a_staff_view():
    """Its URL conf holds the applicant's pages and the official channels, nothing else."""
    views = {
        f"{pattern.callback.__module__}.{pattern.callback.__name__}"
        for pattern in walk(get_resolver(APPLICANT_URLCONF).url_patterns)
    }
    assert {view.rsplit(".", 1)[0] for view in views} == {
        "safepassage.applicant_urls",
        "safepassage.families.views",
        "safepassage.intake.views",
        "safepassage.outreach.views",
    }
    assert "safepassage.outreach.views.official" in views
    assert len([v for v in views if v.startswith("safepassage.outreach")]) == 1
    with translation.override("ru"), pytest.raises(Resolver404, match="staff/login"):
        resolve("/ru/staff/login/", urlconf=APPLICANT_URLCONF)


def walk(patterns):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from walk(pattern.url_patterns)
        else:
            yield pattern


def test_the_staff_host_serves_no_applicant_page(world, split):
    assert staff().get("/ru/north/apply/").status_code == 404
    assert staff().get("/ru/enter/").status_code == 404
    assert staff().get("/")["Location"] == "/ru/staff/"
    assert staff().get("/ru/staff/login/").status_code == 200


def test_the_staff_host_with_a_trailing_dot_is_still_the_staff_host(world, split):
    """Issue #22, point 12: "staff.example.org." served applicant pages on the staff host."""
    dotted = Client(HTTP_HOST=STAFF + ".", HTTP_X_FORWARDED_PROTO="https")
    assert dotted.get("/ru/north/apply/").status_code == 404
    assert dotted.get("/ru/enter/").status_code == 404
    assert dotted.get("/ru/staff/login/").status_code == 200


def test_the_staff_host_is_https_only_and_says_so(world, split):
    plain = Client(HTTP_HOST=STAFF, HTTP_X_FORWARDED_PROTO="http")
    redirected = plain.get("/ru/staff/login/")
    assert redirected.status_code == 301
    assert redirected["Location"] == f"https://{STAFF}/ru/staff/login/"
    secure = staff().get("/ru/staff/login/")
    assert secure["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "Strict-Transport-Security" not in onion().get("/ru/").headers


def test_a_flood_of_wrong_passwords_from_elsewhere_never_slows_the_owner(world, split):
    """Behind the proxy the address is nginx's X-Real-IP: the attacker's addresses wait,
    the owner's does not (issue #17: no lock-out by anyone who knows a username)."""
    username = world.staff[Role.VERIFIER].username
    for attacker_address in ("203.0.113.66", "203.0.113.67"):
        attacker = staff(attacker_address)
        for _ in range(30):
            attacker.post("/en/staff/login/", {"username": username, "password": "wrong"})
        slowed = attacker.post("/en/staff/login/", {"username": username, "password": PASSWORD})
        assert slowed.status_code == 429
    owner = staff("198.51.100.7")
    response = owner.post("/en/staff/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/en/staff/second-factor/"
    response = owner.post(
        "/en/staff/second-factor/", {"token": current_code(world.staff[Role.VERIFIER])}
    )
    assert response["Location"] == "/en/staff/"


def test_one_host_serves_both_when_no_staff_host_is_named(world, client):
    assert client.get("/en/staff/login/").status_code == 200
    assert client.get("/en/north/apply/").status_code == 200
