"""The crossing time as each person reads it, on the real pages, for windows at known UTC
instants: an ordinary night, the night the clocks change in Kyiv, and a window across
midnight. A wrong hour here gets a person shot, so every assertion is the exact text."""

from datetime import UTC, datetime

import pytest
from django.test import Client
from django.utils import timezone

from safepassage.lib import display
from safepassage.passage import plans, windows
from safepassage.passage.models import Crossing
from safepassage.programmes.roles import Role
from tests.conftest import enter, text_of
from tests.fixtures.crossings import verified_with_codename

pytestmark = pytest.mark.django_db

NIGHTS = {
    # now, PASSAGE_WINDOWS, the window's start in UTC, then what each person reads.
    "ordinary night": (
        datetime(2026, 11, 27, 12, 0, tzinfo=UTC),
        "01:00-02:30,04:30-06:00",
        datetime(2026, 11, 27, 23, 0, tzinfo=UTC),
        {
            "liaison_ru": "28.11.2026, 01:00–02:30 · киевское время (UTC+2)",
            "applicant_ru": "28.11.2026, 02:00–03:30 · московское время (UTC+3)",
            "coordinator_en": "28 Nov 2026, 01:00–02:30 · Kyiv time (UTC+2)",
            "applicant_en": "28 Nov 2026, 02:00–03:30 · Moscow time (UTC+3)",
        },
    ),
    # Kyiv moves to summer time at 03:00 on 28.03.2027; Moscow keeps UTC+3.
    "clocks change in Kyiv": (
        datetime(2027, 3, 27, 12, 0, tzinfo=UTC),
        "01:00-02:30,04:30-06:00",
        datetime(2027, 3, 28, 1, 30, tzinfo=UTC),
        {
            "liaison_ru": "28.03.2027, 04:30–06:00 · киевское время (UTC+3)",
            "applicant_ru": "28.03.2027, 04:30–06:00 · московское время (UTC+3)",
            "coordinator_en": "28 Mar 2027, 04:30–06:00 · Kyiv time (UTC+3)",
            "applicant_en": "28 Mar 2027, 04:30–06:00 · Moscow time (UTC+3)",
        },
    ),
    "across midnight": (
        datetime(2026, 11, 27, 12, 0, tzinfo=UTC),
        "23:30-01:00",
        datetime(2026, 11, 27, 21, 30, tzinfo=UTC),
        {
            "liaison_ru": "27.11.2026, 23:30 – 28.11.2026, 01:00 · киевское время (UTC+2)",
            "applicant_ru": "28.11.2026, 00:30–02:00 · московское время (UTC+3)",
            "coordinator_en": "27 Nov 2026, 23:30 – 28 Nov 2026, 01:00 · Kyiv time (UTC+2)",
            "applicant_en": "28 Nov 2026, 00:30–02:00 · Moscow time (UTC+3)",
        },
    ),
}


@pytest.mark.parametrize("night", NIGHTS)
def test_each_person_reads_the_crossing_time_in_their_zone(
    world, front, staff_client, settings, set_now, night
):
    now, daily, start, expected = NIGHTS[night]
    settings.PASSAGE_WINDOWS = daily
    settings.PASSAGE_INSTRUCTION_LEAD_HOURS = 24
    set_now(now)
    case, codename = verified_with_codename(Client(), lang="ru")
    window = next(w for w in windows.upcoming(now) if w.start == start)

    coordinator = staff_client(Role.COORDINATOR)
    crossing_page = f"/en/staff/case/{case.reference}/crossing/"
    form = text_of(coordinator.get(crossing_page).content.decode(), "id_window")
    assert expected["coordinator_en"] in form  # the choice he makes reads the same
    response = coordinator.post(
        crossing_page + "plan/",
        {
            "sector": front.orchard.pk,
            "window": window.key,
            "signal": "white_cloth_arm",
            "escort": "drone",
            "head_count": "1",
        },
    )
    assert response.status_code == 302
    crossing = plans.open_one(Crossing.objects.select_related("unit").get(case=case), world.keys)
    assert crossing.window_start == start
    html = coordinator.get(crossing_page).content.decode()
    assert text_of(html, "active-window") == expected["coordinator_en"]

    liaison = staff_client(Role.LIAISON)
    notices = liaison.get("/ru/staff/notices/").content.decode()
    assert text_of(notices, f"notice-{crossing.pk}-window") == expected["liaison_ru"]
    liaison.post(f"/ru/staff/notices/{crossing.pk}/acknowledge/")
    crossing.refresh_from_db()
    assert crossing.status == Crossing.Status.ACKNOWLEDGED

    applicant = Client()
    enter(applicant, codename, lang="ru")
    page = applicant.get("/ru/my/").content.decode()
    assert text_of(page, "crossing-window") == expected["applicant_ru"]
    english = applicant.get("/en/my/").content.decode()
    assert text_of(english, "crossing-window") == expected["applicant_en"]


def test_a_message_carries_the_applicants_zone_and_the_staff_zone(
    world, front, staff_client, set_now
):
    set_now(datetime(2026, 11, 27, 12, 5, tzinfo=UTC))
    case, codename = verified_with_codename(Client(), lang="ru")
    intake = staff_client(Role.INTAKE)
    intake.post(f"/ru/staff/case/{case.reference}/message/", {"text": "Ждите"})
    applicant = Client()
    enter(applicant, codename, lang="ru")
    page = text_of(applicant.get("/ru/my/").content.decode(), "messages")
    assert "От нас · 27.11.2026 15:05 · московское время (UTC+3)" in page
    staff_page = text_of(
        intake.get(f"/ru/staff/case/{case.reference}/").content.decode(), "messages"
    )
    assert "27.11.2026 14:05 · киевское время (UTC+2)" in staff_page


def test_a_window_across_a_change_of_clocks_names_both_offsets():
    # Kyiv goes back from UTC+3 to UTC+2 at 04:00 on 25.10.2026.
    start = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    end = datetime(2026, 10, 25, 2, 30, tzinfo=UTC)
    with timezone.override("UTC"):
        text = display.window(start, end, "Europe/Kyiv")
    assert text == "25 Oct 2026, 03:30–04:30 · Kyiv time (UTC+3 → UTC+2)"
