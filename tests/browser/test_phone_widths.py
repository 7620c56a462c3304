"""Every staff page fits a 360 px phone (issue #27, point 14): nothing scrolls sideways, in
Russian, whose words run longest. Wide tables scroll inside themselves, the page does not."""

import pytest
from django.test import Client
from django.utils import timezone

from safepassage.passage import notices
from safepassage.programmes.roles import Role
from tests.browser.conftest import assert_no_raw_code
from tests.browser.test_crossing_journey import staff_sign_in
from tests.fixtures.crossings import notify, verified_case
from tests.fixtures.prisoners import received_case, register

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = {
    Role.ADMIN: [
        "/ru/staff/",
        "/ru/staff/p/north/people/",
        "/ru/staff/p/north/audit/",
        "/ru/staff/p/north/sectors/",
        "/ru/staff/p/north/campaigns/",
        "/ru/staff/p/north/channels/",
        "/ru/staff/p/north/rewards/",
        "/ru/staff/sessions/",
        "/ru/staff/help/",
    ],
    Role.INTAKE: [
        "/ru/staff/",
        "/ru/staff/p/north/queue/",
        "/ru/staff/p/north/inbox/",
        "/ru/staff/p/north/relative-call/",
    ],
    Role.VERIFIER: ["/ru/staff/", "/ru/staff/p/north/queue/", "/ru/staff/case/{verified}/"],
    Role.COORDINATOR: [
        "/ru/staff/",
        "/ru/staff/p/north/planner/",
        "/ru/staff/p/north/calibration/",
        "/ru/staff/case/{verified}/crossing/",
    ],
    Role.LIAISON: ["/ru/staff/", "/ru/staff/notices/"],
    Role.RECEPTION: ["/ru/staff/", "/ru/staff/p/north/reception/", "/ru/staff/case/{received}/"],
    Role.AFTERCARE: ["/ru/staff/", "/ru/staff/case/{received}/aftercare/"],
    Role.VOLUNTEER: ["/ru/staff/", "/ru/staff/p/north/volunteer/"],
    Role.TRACING: ["/ru/staff/", "/ru/staff/p/north/inquiries/"],
}


def test_every_staff_page_fits_a_phone(world, front, live_server, browser):
    client = Client()
    verified = verified_case(client)
    crossing = notify(world, verified_case(client), front.quarry)
    notices.acknowledge(
        crossing.pk, user=front.other_liaison, keys=world.unit_keys, now=timezone.now()
    )
    received = received_case(world, front, client)
    register(world, received)
    references = {"verified": verified.reference, "received": received.reference}
    too_wide = []
    for role, paths in PAGES.items():
        phone = browser.new_context(
            viewport={"width": 360, "height": 740}, is_mobile=True, locale="ru-RU"
        )
        page = phone.new_page()
        staff_sign_in(page, live_server.url, world.staff[role])
        for path in paths:
            response = page.goto(live_server.url + path.format(**references))
            assert response is not None, (role, path)
            assert response.status == 200, (role, path)
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > 360:
                too_wide.append((role.value, path, width))
            assert_no_raw_code(page)
        phone.close()
    assert too_wide == [], "\n".join(map(str, too_wide))
