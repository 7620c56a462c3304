"""Applications per day over the last 90 days, stacked by channel or by the campaign that
brought them, with the small-count rule (`lib/chart_geometry`): for the staff home and each
programme's campaigns page. Past days are counted once a day by the worker and cached."""

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Sum
from django.db.models.functions import TruncDate
from django.utils.translation import gettext as _

from safepassage.cases.models import CampaignCount, Case
from safepassage.cases.states import QUESTIONS
from safepassage.lib import display
from safepassage.lib.chart_geometry import (
    AXIS,
    WIDTH,
    Cell,
    Day,
    Segment,
    StackedChart,
    complementary,
    hidden_figure,
)
from safepassage.outreach.models import Campaign

COLOURS = {"web": "#2f5d8a", "telegram": "#3a9bd5", "hotline": "#c77c1e"}


# Colours for campaigns, in order of how many applications each brought; the rest share one.
PALETTE = ["#2f5d8a", "#c77c1e", "#3a9bd5", "#6a8f3c", "#8a4f9e", "#b5413b", "#4f8f8a"]
NO_CAMPAIGN, OTHERS = "none", "others"


def _series_by_campaign(counts: dict[tuple[date, str], int]) -> list[tuple[str, str, str]]:
    totals: dict[str, int] = {}
    for (_day, code), n in counts.items():
        totals[code] = totals.get(code, 0) + n
    ranked = sorted((code for code in totals if code != NO_CAMPAIGN), key=lambda c: -totals[c])
    names = dict(Campaign.objects.filter(pk__in=ranked).values_list("pk", "name"))
    series = [
        (code, names.get(int(code), ""), PALETTE[index])
        for index, code in enumerate(ranked[: len(PALETTE)])
    ]
    if len(ranked) > len(PALETTE):
        series.append((OTHERS, str(_("Other campaigns")), "#777"))
    return [*series, (NO_CAMPAIGN, str(_("No campaign")), "#aaa")]


def _counted(programme_ids: list[int], by: str, start: datetime, end: datetime | None) -> list[Any]:
    """(day, channel or campaign id, applications) for cases created in [start, end), on the
    created_at index (a bare range, not a date taken of every row). Days are the staff's
    calendar days, the ones the chart's labels name: from midnight in Kyiv to midnight UTC
    an application made now is today's, not yesterday's."""
    if by == "campaign":
        return _counted_by_campaign(programme_ids, start, end)
    cases = Case.objects.filter(programme_id__in=programme_ids, created_at__gte=start)
    if end is not None:
        cases = cases.filter(created_at__lt=end)
    rows = (
        cases.exclude(state__in=QUESTIONS)
        .annotate(day=TruncDate("created_at", tzinfo=ZoneInfo(display.staff_zone())))
        .values_list("day", by)
        .annotate(n=Count("pk"))
    )
    return list(rows)


def _counted_by_campaign(
    programme_ids: list[int], start: datetime, end: datetime | None
) -> list[tuple[date, int | None, int]]:
    """(day, campaign id or None, applications): the campaigns' from their counters (a case's
    campaign is sealed), the rest of the day's applications under None."""
    counters = CampaignCount.objects.filter(
        campaign__programme_id__in=programme_ids, day__gte=display.calendar_day(start)
    ).exclude(state__in=QUESTIONS)
    if end is not None:
        counters = counters.filter(day__lt=display.calendar_day(end))
    rows = counters.values_list("day", "campaign_id").annotate(n=Sum("count"))
    found = [(day, campaign_id, int(n)) for day, campaign_id, n in rows if n]
    by_campaigns: dict[date, int] = {}
    for day, _campaign, n in found:
        by_campaigns[day] = by_campaigns.get(day, 0) + n
    every: dict[date, int] = {}
    for day, _channel, n in _counted(programme_ids, "channel", start, end):
        every[day] = every.get(day, 0) + n
    rest = [(day, None, n - by_campaigns.get(day, 0)) for day, n in every.items()]
    return found + [row for row in rest if row[2] > 0]


def _per_day(programme_ids: list[int], by: str, since: date, now: datetime) -> list[Any]:
    """The days before today are counted once a day and kept in the cache (a large programme
    has hundreds of thousands of cases in 90 days); today's are counted live. A question that
    becomes an application later shows on its first day from the next day on."""
    today = display.start_of_day(display.calendar_day(now))
    start = display.start_of_day(since)
    ids = ",".join(str(pid) for pid in sorted(programme_ids))
    key = f"chart-per-day:{by}:{ids}:{since.isoformat()}:{today.date().isoformat()}"
    past: list[Any] = (
        cache.get_or_set(key, lambda: _counted(programme_ids, by, start, today), timeout=24 * 3600)
        or []
    )
    return [*past, *_counted(programme_ids, by, today, None)]


def count_past_days(programme_id: int, now: datetime, days: int = 90) -> None:
    """Count one programme's past days into the cache ahead of its staff (run by the worker:
    over a large programme's 90 days the count takes a second or more)."""
    since = display.calendar_day(now) - timedelta(days=days - 1)
    for by in ("channel", "campaign"):
        _per_day([programme_id], by, since, now)


def applications_per_day(
    programme_ids: list[int],
    now: datetime,
    days: int = 90,
    *,
    by: str = "channel",
    weeks_hidden: set[tuple[int, date]] | None = None,
) -> StackedChart:
    """Applications per day over `days`, stacked by channel or (`by="campaign"`) by the
    campaign that brought them; each day's count per series is hidden under the small-count
    rule, drawn grey at half the threshold, and so is what `complementary` adds: the day's
    total is on the staff home and each campaign's week in its table (`weeks_hidden`: the
    campaign weeks that table hides)."""
    threshold = settings.OUTREACH_SMALL_COUNT
    since = display.calendar_day(now) - timedelta(days=days - 1)
    counts: dict[tuple[date, str], int] = {}
    for day, value, n in _per_day(programme_ids, by, since, now):
        code = NO_CAMPAIGN if by == "campaign" and value is None else str(value)
        counts[(day, code)] = counts.get((day, code), 0) + n
    if by == "campaign":
        series = _series_by_campaign(counts)
        shown = {code for code, _label, _colour in series}
        for (day, code), n in list(counts.items()):
            if code not in shown:  # beyond the palette: one series for the rest
                counts[(day, OTHERS)] = counts.get((day, OTHERS), 0) + n
        title = _("Applications per day, last 90 days, by campaign")
    else:
        series = [(code, str(label), COLOURS[code]) for code, label in Case.Channel.choices]
        title = _("Applications per day, last 90 days, by channel")
    dates = [since + timedelta(days=offset) for offset in range(days)]
    codes = [code for code, _label, _colour in series]
    small = {cell for cell, n in counts.items() if 0 < n < threshold}
    by_day = [[(day, code) for code in codes] for day in dates]
    by_week: dict[tuple[str, date], list[Cell]] = {}
    for day in dates:
        for code in codes:
            by_week.setdefault((code, day - timedelta(days=day.weekday())), []).append((day, code))
    hidden_weeks = [
        by_week.get((str(campaign_id) if str(campaign_id) in codes else OTHERS, monday), [])
        for campaign_id, monday in weeks_hidden or set()
    ]
    weeks = list(by_week.values()) if by == "campaign" else []
    hidden = complementary(counts, small, by_day + weeks, hidden_weeks)

    def drawn(day: date, code: str) -> float:
        return threshold / 2 if (day, code) in hidden else counts.get((day, code), 0)

    top = max([sum(drawn(d, c) for c, _l, _k in series) for d in dates] + [threshold])
    slot = WIDTH / days
    result = []
    for index, day in enumerate(dates):
        base = float(AXIS)
        segments = []
        for code, _label, _colour in series:
            n = counts.get((day, code), 0)
            height = AXIS * drawn(day, code) / top
            base -= height
            concealed = (day, code) in hidden
            figure = hidden_figure(n, threshold) if concealed else str(n)
            segments.append(Segment(code, figure, round(base, 1), round(height, 1), concealed))
        x = round(index * slot + slot * 0.1, 1)
        result.append(Day(display.day(day), x, round(slot * 0.8, 1), segments))
    key = "per-day" if by == "channel" else "per-day-campaign"
    return StackedChart(key, title, series, result)
