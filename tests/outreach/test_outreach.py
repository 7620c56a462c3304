"""Campaigns and what each brought, without tracking anyone; the official channels (#13)."""

import pytest
import time_machine
from django.test import Client

from safepassage.cases.models import Case
from safepassage.lib import display
from safepassage.lib.chart_geometry import suppress
from safepassage.outreach import codes
from safepassage.outreach.models import Campaign
from safepassage.programmes.roles import Role
from tests.conftest import audit_entries, form_token, submit, text_of

pytestmark = pytest.mark.django_db


def test_a_code_reads_back_and_a_mistyped_one_is_refused():
    for _ in range(200):
        code = codes.new_code()
        assert codes.read(code) == code
        assert codes.read(codes.spoken(code).lower()) == code  # "abc-def" as typed
        for i in range(6):  # any one character wrong
            for other in codes.ALPHABET:
                if other != code[i]:
                    assert codes.read(code[:i] + other + code[i + 1 :]) is None
    assert codes.read("O1L0I") is None  # too short
    code = "0" + codes.new_code()[1:]
    fixed = code[:5] + codes._check(code[:5])
    assert codes.read("O" + fixed[1:]) == fixed  # O is read as 0


def test_small_counts_are_hidden_and_cannot_be_worked_out_from_the_total():
    shown, total = suppress([[3, 1, 0], [10, 6, 0], [7, 5, 0]], threshold=5)
    assert shown[0] == ["< 5", "< 5", "0"]
    # Column 0 had one hidden cell (3) under a total of 20: the next smallest (7) hides too.
    assert shown[2][0] == "< 5"
    assert shown[1][0] == "10"
    assert shown[1][1] == "6" or shown[2][1] == "< 5"
    assert total == ["20", "12", "0"]
    assert suppress([[2]], 5) == ([["< 5"]], ["< 5"])


def campaign(admin) -> Campaign:
    response = admin.post(
        "/en/staff/p/north/campaigns/",
        {
            "name": "Leaflets over Tokmak",
            "medium": "leaflet",
            "language": "ru",
            "area": "Zaporizhzhia front",
            "starts_on": "01.11.2026",
        },
    )
    assert response.status_code == 302
    return Campaign.objects.get()


def tokmak_from_today(world) -> Campaign:
    """A campaign that starts today in the staff's calendar."""
    from django.utils import timezone

    return Campaign.objects.create(
        programme=world.programme,
        name="Tokmak",
        medium="leaflet",
        language="ru",
        starts_on=display.calendar_day(timezone.now()),
        code=codes.new_code(),
    )


def apply_with(code: str) -> None:
    client = Client()
    arrived = client.get(f"/ru/r/{code}/")
    assert arrived["Location"] == "/ru/north/apply/"
    page = client.get("/ru/north/apply/").content.decode()
    client.post(
        "/ru/north/apply/",
        {"intent": "apply", "direction": "Токмак", "group": "alone", "token": form_token(page)},
    )


def test_a_campaign_link_brings_an_application_counted_under_it_and_nothing_else(
    world, staff_client
):
    admin = staff_client(Role.ADMIN)
    leaflet = campaign(admin)
    assert audit_entries("outreach.campaign_saved")
    apply_with(codes.spoken(leaflet.code).lower())
    case = Case.objects.get()
    assert case.campaign_id == leaflet.pk
    # An unknown code is no error, and no answer either: the same as a known one.
    assert Client().get("/ru/r/ZZZZZZ/")["Location"] == "/ru/north/apply/"
    page = admin.get("/en/staff/p/north/campaigns/").content.decode()
    figures = text_of(page, f"campaign-{leaflet.code}")
    assert "< 5" in figures
    assert "Leaflets over Tokmak" in figures
    for _ in range(4):
        apply_with(leaflet.code)
    figures = text_of(
        admin.get("/en/staff/p/north/campaigns/").content.decode(), f"campaign-{leaflet.code}"
    )
    assert "In all 5 0 0 0" in figures


def test_the_bot_and_the_hotline_count_the_campaign_too(world, staff_client):
    from safepassage.bot.offline import Telegram

    leaflet = campaign(staff_client(Role.ADMIN))
    chat = Telegram(world.programme.slug)
    chat.send(f"/start {leaflet.code}")
    chat.press("ask")
    chat.send("Херсон")
    chat.press("alone")
    chat.send("Это безопасно?")
    assert Case.objects.get().campaign_id == leaflet.pk
    assert audit_entries("outreach.campaign_saved") == [
        (f"staff:{world.staff[Role.ADMIN].pk}", {"id": leaflet.pk})
    ]


def test_the_official_channels_are_public_and_the_bot_verifies_them(world, staff_client):
    from safepassage.bot.offline import Telegram

    onion = "a" * 56 + ".onion"
    admin = staff_client(Role.ADMIN)
    bad = admin.post("/en/staff/p/north/channels/", {"onion_address": "example.com"})
    assert "ends in .onion" in bad.content.decode()
    admin.post(
        "/en/staff/p/north/channels/",
        {
            "onion_address": onion,
            "bot_username": "@safe_passage_bot",
            "bot_id": "7001234567",
            "phone_numbers": "+380 44 000 00 00",
        },
    )
    page = Client().get("/ru/north/official/").content.decode()
    listed = text_of(page, "official-channels")
    assert onion in listed
    assert "@safe_passage_bot" in listed
    assert "7001234567" in listed
    chat = Telegram(world.programme.slug)
    chat.send("/verify")
    assert onion in chat.last()
    assert "7001234567" in chat.last()


def test_the_campaign_chart_hides_what_the_table_hides(clock, world, staff_client):
    from datetime import timedelta

    from django.utils import timezone

    from safepassage.outreach.figures import tables

    leaflet = tokmak_from_today(world)
    now = timezone.now()
    for weeks_ago, n in ((0, 3), (1, 7), (2, 9)):
        # Applied weeks ago (the counters count the day a case came in, as it comes in).
        with time_machine.travel(now - timedelta(weeks=weeks_ago + 10), tick=False):
            for _ in range(n):
                apply_with(leaflet.code)
    (table,) = tables(world.programme)
    shown = [figures[0] for _monday, figures in table.weeks]
    assert shown == ["9", "< 5", "< 5"]  # 3 hidden, and 7, which the total would reveal
    hidden = [bar.hidden for bar in table.chart.bars]
    assert hidden == [figure.startswith("<") for figure in shown]


def test_the_campaign_page_draws_applications_per_day_by_campaign(clock, world, staff_client):
    from django.utils import timezone

    from safepassage.lib import display
    from tests.dashboard.test_charts import days_of

    admin = staff_client(Role.ADMIN)
    leaflet = campaign(admin)
    for _ in range(6):
        apply_with(leaflet.code)
    for _ in range(2):
        submit(Client())  # came without a code
    html = admin.get("/en/staff/p/north/campaigns/").content.decode()
    assert text_of(html, "chart-per-day-campaign").startswith(
        "Applications per day, last 90 days, by campaign · Leaflets over Tokmak · No campaign"
    )
    per_day = days_of(html, "per-day-campaign")
    assert len(per_day) == 90
    # The day's 8 is on the staff home: the 6 beside the hidden 2 is hidden too.
    assert per_day[display.day(timezone.now())] == ["hidden", "< 5"]
    assert "<script" not in html


def test_no_figure_the_admin_sees_gives_a_hidden_count_away_by_difference(
    clock, world, staff_client
):
    """Issue #22, point 7: the campaigns page showed a day's campaign as "< 5" beside an exact
    "No campaign", while the staff home showed the day's total: 72 − 70 = 2. Now what the
    same admin reads on both pages does not add up to a hidden figure."""
    from django.utils import timezone, translation

    from safepassage.lib import display
    from tests.dashboard.test_charts import days_of

    admin = staff_client(Role.ADMIN)
    leaflet = campaign(admin)
    for _ in range(2):
        apply_with(leaflet.code)
    for _ in range(6):
        submit(Client())
    with translation.override("ru"):
        today = display.day(timezone.now())
    home = days_of(admin.get("/ru/staff/").content.decode())[today]
    assert home == ["8", "0", "0"]  # the day's total, exact: web, Telegram, hotline
    page = admin.get("/ru/staff/p/north/campaigns/").content.decode()
    assert days_of(page, "per-day-campaign")[today] == ["< 5", "скрыто"]
    assert "8" not in [figure for figure in days_of(page, "per-day-campaign")[today]]


def test_a_campaign_counts_under_the_staff_week(clock, world):
    """An application on Monday 00:30 in Kyiv is Monday's week, though UTC is still Sunday."""
    from datetime import timedelta

    from django.utils import timezone

    from safepassage.outreach.figures import tables

    leaflet = tokmak_from_today(world)
    apply_with(leaflet.code)
    (table,) = tables(world.programme)
    today = display.calendar_day(timezone.now())
    assert [monday for monday, _figures in table.weeks] == [today - timedelta(days=today.weekday())]


def test_a_campaign_link_answers_the_same_bytes_whether_its_code_exists_or_not(world, staff_client):
    """Issue #22, point 13: /r/<code>/ is no oracle for the programme's campaigns."""
    from safepassage.programmes.services import create_programme

    leaflet = campaign(staff_client(Role.ADMIN))
    wrong = codes.new_code()
    assert wrong != leaflet.code

    def answer(code: str) -> tuple[object, ...]:
        response = Client().get(f"/ru/r/{code}/")
        cookie = response.cookies["sp"]
        headers = sorted((k, v) for k, v in response.headers.items() if k != "Set-Cookie")
        shape = (len(cookie.value), cookie["httponly"], cookie["samesite"], cookie["path"])
        return response.status_code, headers, response.content, shape

    assert answer(leaflet.code) == answer(wrong) == answer("not-a-code")
    create_programme("south", "South")  # with two programmes, both go to the start page
    assert answer(leaflet.code) == answer(wrong)
    assert Client().get(f"/ru/r/{leaflet.code}/")["Location"] == "/ru/"


def test_the_campaigns_page_says_its_chart_counts_days_and_its_tables_weeks(world, staff_client):
    """Issue #27, point 12: the page said weekly above a daily chart."""
    page = staff_client(Role.ADMIN).get("/ru/staff/p/north/campaigns/").content.decode()
    assert (
        "график ниже считает заявки по дням за 90 дней, таблица каждой кампании — по неделям"
        in text_of(page)
    )
