"""The staff home's pictures: server-drawn SVG with their numbers as a table, small counts
hidden as on the campaign page (issue #13)."""

import re
from html import unescape

import pytest
from django.test import Client
from django.utils import timezone

from safepassage.lib import display
from safepassage.programmes.roles import Role
from tests.conftest import submit, text_of

pytestmark = pytest.mark.django_db


def rows_of(html: str, chart: str) -> dict[str, str]:
    section = re.search(rf'<figure class="chart" id="chart-{chart}">(.*?)</figure>', html, re.S)
    assert section, chart
    cells = re.findall(r'<th scope="row">([^<]+)</th><td>([^<]+)</td>', section.group(1))
    return {unescape(label): unescape(value) for label, value in cells}


def days_of(html: str, chart: str = "per-day") -> dict[str, list[str]]:
    """A per-day chart's table: a day, then a figure per series (for the staff home's: web,
    Telegram, hotline)."""
    section = re.search(rf'<figure class="chart" id="chart-{chart}">(.*?)</figure>', html, re.S)
    assert section
    rows = re.findall(
        r'<tr><th scope="row">([^<]+)</th>((?:<td>[^<]*</td>)+)</tr>', section.group(1)
    )
    return {
        day: [unescape(v) for v in re.findall(r"<td>([^<]*)</td>", cells)] for day, cells in rows
    }


def test_the_staff_home_draws_applications_per_day_and_the_funnel(clock, world, staff_client):
    for _ in range(3):
        submit(Client())
    verifier = staff_client(Role.VERIFIER)
    html = verifier.get("/en/staff/").content.decode()
    today = display.day(timezone.now())
    per_day = days_of(html)
    assert len(per_day) == 90
    assert per_day[today] == ["< 5", "0", "0"]
    assert rows_of(html, "funnel")["Applied"] == "< 5"
    for _ in range(3):
        submit(Client())
    html = verifier.get("/en/staff/").content.decode()
    assert days_of(html)[today] == ["6", "0", "0"]
    assert "by channel · Website · Telegram bot · Hotline (operator)" in text_of(
        html, "chart-per-day"
    )
    funnel = rows_of(html, "funnel")
    assert funnel["Applied"] == "6"
    assert funnel["Verified"] == "0"
    assert '<svg viewBox="0 0 600 160"' in html
    assert "<script" not in html
    cards = rows_of(html, "cards")
    assert cards == {"Due, in time": "0", "Late": "0"}
    assert "Applications per day, last 90 days, by channel" in text_of(html)


def test_the_calibration_page_draws_crossings_by_outcome(world, front, staff_client):
    from safepassage.passage import learning
    from tests.fixtures.crossings import crossed

    for _ in range(5):
        crossed(world, front, Client(), "arrived")
    crossed(world, front, Client(), "killed")
    learning.count_outcomes(world.programme.pk, world.keyring)
    html = staff_client(Role.COORDINATOR).get("/en/staff/p/north/calibration/").content.decode()
    outcomes = rows_of(html, "outcomes")
    # The chart shows what the table above it shows (issue #27, point 13): the 1 killed.
    assert outcomes == {"Orchard: Arrived": "5", "Orchard: Killed": "1"}
    assert 'fill="#bbb"' not in html.split('id="chart-outcomes"')[1].split("</figure>")[0]


def test_chart_coordinates_are_numbers_svg_reads_in_every_language(world, staff_client):
    """Russian writes 12,5 for 12.5; an SVG coordinate must stay 12.5, or the bar is lost."""
    submit(Client())
    html = staff_client(Role.VERIFIER).get("/ru/staff/").content.decode()
    coordinates = re.findall(
        r'<rect x="([^"]+)" y="([^"]+)" width="([^"]+)" height="([^"]+)"', html
    )
    assert coordinates
    for numbers in coordinates:
        for number in numbers:
            float(number)  # raises on "12,5"


def test_past_days_are_counted_once_a_day_and_today_live(clock, world, staff_client):
    """The days before today come from the day's cache (a large programme's 90 days are
    hundreds of thousands of rows); today's applications show at once."""
    from datetime import timedelta

    from safepassage.cases.models import Case

    for _ in range(5):
        submit(Client())
    Case.objects.update(created_at=timezone.now() - timedelta(days=3))
    verifier = staff_client(Role.VERIFIER)
    three_days_ago = display.day(timezone.now() - timedelta(days=3))
    today = display.day(timezone.now())
    html = verifier.get("/en/staff/").content.decode()
    assert days_of(html)[three_days_ago] == ["5", "0", "0"]
    for _ in range(5):
        submit(Client())
    html = verifier.get("/en/staff/").content.decode()
    assert days_of(html)[today] == ["5", "0", "0"]  # live
    assert days_of(html)[three_days_ago] == ["5", "0", "0"]


def test_the_day_chart_has_a_date_axis_and_its_grey_in_the_legend(world, staff_client):
    """Issue #27, point 13: 90 bars with no date under them, and a grey nobody explained."""
    from datetime import timedelta

    submit(Client())
    html = staff_client(Role.VERIFIER).get("/ru/staff/").content.decode()
    section = re.search(r'<figure class="chart" id="chart-per-day">(.*?)</figure>', html, re.S)
    assert section
    labels = re.findall(r'<text x="[^"]+" y="[^"]+" font-size="10"[^>]*>([^<]+)</text>', section[1])
    now = timezone.now()
    first = display.day(display.calendar_day(now) - timedelta(days=89))
    assert labels[0] == first
    assert labels[-1] == display.day(now)
    assert len(labels) == 7
    assert (
        "меньше 5 или скрыто рядом с таким числом, чтобы его не выдали итоги: не показано"
        in text_of(html, "chart-per-day")
    )


def test_a_chart_whose_every_figure_is_hidden_says_so_in_words(world, staff_client):
    from tests.outreach.test_outreach import apply_with, campaign

    admin = staff_client(Role.ADMIN)
    leaflet = campaign(admin)
    for _ in range(3):
        apply_with(leaflet.code)
    html = admin.get("/ru/staff/p/north/campaigns/").content.decode()
    key = f"chart-campaign-{leaflet.code}"
    assert text_of(html, f"{key}-in-words") == (
        "Все числа здесь — < 5: слишком мало, чтобы показывать, поэтому рисовать нечего."
    )
    chart = re.search(rf'<figure class="chart" id="{key}">(.*?)</figure>', html, re.S)
    assert chart
    assert "<svg viewBox" not in chart[1]


def test_complementary_hiding_follows_every_published_sum():
    """lib/chart_geometry.complementary: a day's total and a campaign's week are published
    elsewhere; hiding one cell of either hides the next smallest of it, and a week the table
    hides is never left for the days to add up to."""
    from datetime import date

    from safepassage.lib.chart_geometry import complementary

    mon, tue = date(2026, 11, 30), date(2026, 12, 1)
    counts = {(mon, "a"): 2, (mon, "b"): 9, (mon, "none"): 40, (tue, "a"): 7, (tue, "none"): 30}
    days = [[(mon, "a"), (mon, "b"), (mon, "none")], [(tue, "a"), (tue, "none")]]
    week_of_a = [(mon, "a"), (tue, "a")]
    # Monday's 2 takes Monday's 9 with it; a's week (known from the table) then has one
    # hidden day, so Tuesday's 7 goes too, and Tuesday then hides its 30.
    assert complementary(counts, {(mon, "a")}, [*days, week_of_a]) == {
        (mon, "a"),
        (mon, "b"),
        (tue, "a"),
        (tue, "none"),
    }
    # Nothing small: nothing hidden.
    assert complementary(counts, set(), [*days, week_of_a]) == set()
    # A week the table hid (a complement there) is not left to be added up from its days.
    # Its smallest day goes, and that day's next smallest with it.
    assert complementary(counts, set(), days, [week_of_a]) == {(mon, "a"), (mon, "b")}
