"""A capture card is due by the end of the seventh day after capture, in the local calendar,
across daylight-saving changes. The clock is an argument, never a sleep."""

from datetime import UTC, datetime, timedelta

import pytest

from safepassage.programmes.roles import Role
from safepassage.reception import services as reception
from safepassage.reception.models import Prisoner
from tests.fixtures.prisoners import received_case, register

pytestmark = pytest.mark.django_db


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def captured(world, front, client, at):
    case = received_case(world, front, client)
    Prisoner.objects.filter(case=case).update(captured_at=at)
    return case


def overdue(world, now):
    return reception.overdue_cards([world.programme.pk], now).count()


@pytest.mark.parametrize(
    ("capture", "last_moment_in_time", "first_moment_late"),
    [
        # Autumn: Kyiv goes from UTC+3 to UTC+2 on 25 October 2026. Captured 24 Oct 23:30
        # local; due by midnight local at the end of 31 Oct, which is 22:00 UTC. Adding 7×24
        # hours in UTC would call it late from 20:30 UTC.
        (utc(2026, 10, 24, 20, 30), utc(2026, 10, 31, 21, 59), utc(2026, 10, 31, 22, 0, 1)),
        # Spring: UTC+2 to UTC+3 on 28 March 2027. Captured 27 Mar 23:30 local; due by
        # midnight local at the end of 3 Apr, which is 21:00 UTC, before 7×24 hours have run.
        (utc(2027, 3, 27, 21, 30), utc(2027, 4, 3, 20, 59), utc(2027, 4, 3, 21, 0, 1)),
    ],
)
def test_overdue_cards_are_counted_in_local_days_across_a_clock_change(
    world, front, client, settings, capture, last_moment_in_time, first_moment_late
):
    settings.RECEPTION_ZONE = "Europe/Kyiv"
    case = captured(world, front, client, capture)
    assert overdue(world, capture) == 0
    assert overdue(world, last_moment_in_time) == 0
    assert overdue(world, first_moment_late) == 1
    assert reception.card_due(capture) == first_moment_late.replace(second=0)
    register(world, case)
    reception.mark_card_sent(case, user=world.staff[Role.RECEPTION], now=first_moment_late)
    assert overdue(world, first_moment_late + timedelta(days=30)) == 0


def test_each_card_is_counted_by_its_own_day_of_capture(world, front, client, settings):
    settings.RECEPTION_ZONE = "Europe/Kyiv"
    captured(world, front, client, utc(2026, 10, 24, 20, 30))  # 24 Oct local
    captured(world, front, client, utc(2026, 10, 24, 21, 30))  # 25 Oct, 00:30 local
    assert overdue(world, utc(2026, 10, 31, 22, 0, 1)) == 1
    assert overdue(world, utc(2026, 11, 1, 22, 0, 1)) == 2
    other_programme = reception.overdue_cards([-1], utc(2027, 1, 1))
    assert other_programme.count() == 0


def test_the_staff_home_and_the_desk_count_overdue_cards(world, front, client, staff_client):
    case = captured(world, front, client, utc(2020, 1, 1))
    captured(world, front, client, datetime.now(UTC))  # due next week
    officer = staff_client(Role.RECEPTION)
    home = officer.get("/en/staff/").content.decode()
    assert 'id="count-overdue-cards">1<' in home
    desk = officer.get(f"/en/staff/p/{world.programme.slug}/reception/").content.decode()
    assert "1 capture card overdue" in desk
    assert case.reference in desk
    ru_desk = officer.get(f"/ru/staff/p/{world.programme.slug}/reception/").content.decode()
    assert "1 карточка взятия в плен просрочена" in ru_desk
