"""Tonight's work at a glance: the liaison's home and console, and who reception expects."""

from datetime import UTC, datetime

import pytest
from django.test import Client
from django.utils import timezone

from safepassage.passage import notices, windows
from safepassage.programmes.roles import Role
from tests.conftest import text_of
from tests.fixtures.crossings import notify, verified_case

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)  # windows at 23:00 UTC and 02:30 UTC


def test_the_liaison_sees_what_waits_for_him_first_and_the_rest_folded(
    world,
    front,
    staff_client,
    set_now,
):
    set_now(NOW)
    first, second, third = (verified_case(Client()) for _ in range(3))
    upcoming = windows.upcoming(NOW)
    waiting = notify(world, first, front.orchard, window=upcoming[0], now=NOW)
    done = notify(world, second, front.orchard, window=upcoming[1], now=NOW, signal="arms_letter_l")
    notices.acknowledge(done.pk, user=world.staff[Role.LIAISON], keys=world.unit_keys, now=NOW)
    gone = notify(
        world, third, front.orchard, window=upcoming[2], now=NOW, signal="white_cloth_arm"
    )
    notices.decline(
        gone.pk, user=world.staff[Role.LIAISON], keys=world.unit_keys, reason="Shelling", now=NOW
    )

    liaison = staff_client(Role.LIAISON)
    home = liaison.get("/en/staff/").content.decode()
    assert text_of(home, "liaison-waiting") == "1 notice waiting for your answer"
    assert (
        "Orchard · 28 Nov 2026, 01:00–02:30 · Kyiv time (UTC+2) · Awaiting acknowledgement"
        " · window starts in 11 h 0 min"
    ) in text_of(home, "liaison-tonight")

    page = liaison.get("/en/staff/notices/").content.decode()
    assert page.index('id="pending-notices"') < page.index('id="acknowledged-notices"')
    assert f'id="notice-{waiting.pk}"' in page.split('id="acknowledged-notices"')[0]
    assert text_of(page, f"notice-{waiting.pk}-left") == "window starts in 11 h 0 min"
    folded = page.split('<details id="finished-notices">')[1]
    assert f'id="notice-{gone.pk}"' in folded
    assert f'id="notice-{waiting.pk}"' not in folded


def test_reception_sees_who_is_expected_but_not_who(
    world,
    front,
    staff_client,
    set_now,
):
    set_now(NOW)
    case = verified_case(Client())
    crossing = notify(world, case, front.orchard, now=NOW)
    notices.acknowledge(crossing.pk, user=world.staff[Role.LIAISON], keys=world.unit_keys, now=NOW)
    desk = staff_client(Role.RECEPTION).get("/en/staff/p/north/reception/").content.decode()
    expected = text_of(desk, "expected")
    assert expected == (
        "Expected in the next 24 hours Window Sector People crossing "
        "28 Nov 2026, 01:00–02:30 · Kyiv time (UTC+2) Orchard 1"
    )
    assert case.reference not in expected
    assert "Zhukovsky" not in desk
    assert timezone.now() == NOW
