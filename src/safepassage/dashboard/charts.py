"""Pictures for the staff home, drawn on the server as SVG (no JavaScript, nothing from
another origin, the strict CSP unchanged), each with its numbers as a table for screen
readers, and the campaigns' small-count rule: a bar for 1 to SMALL_COUNT − 1 is drawn
grey at half the threshold's height and labelled "< SMALL_COUNT".

Written by hand, as small SVG geometry: the charting libraries draw with inline styles or
scripts, which the site's policy forbids, and these charts are four bar charts."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Sum
from django.db.models.functions import TruncDate
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from safepassage import display
from safepassage.cases.models import CampaignCount, Case, StateCount
from safepassage.cases.states import CROSSED, QUESTIONS, State
from safepassage.outreach.figures import REGISTERED_OR_LATER, VERIFIED_OR_LATER
from safepassage.reception import services as reception

WIDTH, HEIGHT = 600, 160
AXIS = HEIGHT - 30  # the baseline; under it, two lines: the label, then the number


@dataclass(frozen=True)
class Bar:
    label: str
    shown: str  # the number as a person reads it ("12", or "< 5")
    x: float
    y: float
    width: float
    height: float
    hidden: bool

    @property
    def centre(self) -> float:
        return round(self.x + self.width / 2, 1)


def hidden_label() -> str:
    """The legend's words for the grey of a hidden count."""
    return _("fewer than %(n)d: not shown") % {"n": settings.OUTREACH_SMALL_COUNT}


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    bars: list[Bar]
    width: int = WIDTH
    height: int = HEIGHT
    axis: int = AXIS

    @property
    def any_hidden(self) -> bool:
        return any(bar.hidden for bar in self.bars)

    @property
    def all_hidden(self) -> bool:
        """Every bar would be the same grey: the chart says so in words instead."""
        return bool(self.bars) and all(bar.hidden for bar in self.bars)

    @property
    def hidden_label(self) -> str:
        return hidden_label()


def bars(key: str, title: str, values: list[tuple[str, int]], *, suppress: bool) -> Chart:
    """Any list of (label, count) as a bar chart, small counts hidden when `suppress`."""
    threshold = settings.OUTREACH_SMALL_COUNT
    top = max([v for _l, v in values] + [threshold, 1])
    slot = WIDTH / max(1, len(values))
    bars = []
    for index, (label, value) in enumerate(values):
        hidden = suppress and 0 < value < threshold
        drawn = threshold / 2 if hidden else value
        height = AXIS * drawn / top
        bars.append(
            Bar(
                label=label,
                shown=_("< %(n)d") % {"n": threshold} if hidden else str(value),
                x=round(index * slot + slot * 0.1, 1),
                y=round(AXIS - height, 1),
                width=round(slot * 0.8, 1),
                height=round(height, 1),
                hidden=hidden,
            )
        )
    return Chart(key, title, bars)


COLOURS = {"web": "#2f5d8a", "telegram": "#3a9bd5", "hotline": "#c77c1e"}


@dataclass(frozen=True)
class Segment:
    channel: str
    shown: str
    y: float
    height: float
    hidden: bool


@dataclass(frozen=True)
class Day:
    label: str
    x: float
    width: float
    segments: list[Segment]


@dataclass(frozen=True)
class StackedChart:
    key: str
    title: str
    channels: list[tuple[str, str, str]]  # (code, label, colour)
    days: list[Day]
    width: int = WIDTH
    height: int = HEIGHT
    axis: int = AXIS

    @property
    def ticks(self) -> list[tuple[float, str]]:
        """The date axis: every fifteenth day from the first, and the last (today), which
        takes the place of a mark too close to it for both labels to be read."""
        if not self.days:
            return []
        last = len(self.days) - 1
        marked = [index for index in range(0, last, 15) if last - index >= 8] + [last]
        return [
            (round(self.days[i].x + self.days[i].width / 2, 1), self.days[i].label) for i in marked
        ]

    @property
    def any_hidden(self) -> bool:
        return any(segment.hidden for day in self.days for segment in day.segments)

    @property
    def hidden_label(self) -> str:
        return _(
            "fewer than %(n)d, or hidden beside such a count so that totals do not give it"
            " away: not shown"
        ) % {"n": settings.OUTREACH_SMALL_COUNT}


# Colours for campaigns, in order of how many applications each brought; the rest share one.
PALETTE = ["#2f5d8a", "#c77c1e", "#3a9bd5", "#6a8f3c", "#8a4f9e", "#b5413b", "#4f8f8a"]
NO_CAMPAIGN, OTHERS = "none", "others"


def _series_by_campaign(counts: dict[tuple[date, str], int]) -> list[tuple[str, str, str]]:
    from safepassage.outreach.models import Campaign  # outreach builds on the dashboard

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


Cell = tuple[date, str]  # a day and a series


def complementary(
    counts: dict[Cell, int],
    hidden: set[Cell],
    known_sums: list[list[Cell]],
    sums_hidden_elsewhere: list[list[Cell]] | None = None,
) -> set[Cell]:
    """The cells to hide so that no hidden count can be worked out by difference from another
    figure the same account sees (issue #22, point 7). `known_sums` are groups of cells whose
    sum is published elsewhere (a day's total on the staff home, a campaign's week in its
    table): a group with exactly one hidden cell hides its next smallest too.
    `sums_hidden_elsewhere` are groups whose sum another figure hides (a week the table
    hides): if every cell of one is shown, its smallest is hidden, or the cells would add up
    to what the table hid. Repeated until nothing changes, since hiding one cell can leave
    another group with one."""
    hidden = set(hidden)
    rules = [(group, 1) for group in known_sums]
    rules += [(group, 0) for group in sums_hidden_elsewhere or []]
    changed = True
    while changed:
        changed = False
        for group, exposed_when in rules:
            shown = [cell for cell in group if cell not in hidden and counts.get(cell, 0) > 0]
            if shown and sum(1 for cell in group if cell in hidden) == exposed_when:
                hidden.add(min(shown, key=lambda cell: (counts[cell], cell)))
                changed = True
    return hidden


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
            figure = _hidden_figure(n, threshold) if concealed else str(n)
            segments.append(Segment(code, figure, round(base, 1), round(height, 1), concealed))
        x = round(index * slot + slot * 0.1, 1)
        result.append(Day(display.day(day), x, round(slot * 0.8, 1), segments))
    key = "per-day" if by == "channel" else "per-day-campaign"
    return StackedChart(key, title, series, result)


def _hidden_figure(n: int, threshold: int) -> str:
    """A small count reads "< 5"; a larger one hidden to protect it reads "hidden" (saying
    "< 5" of it would be false)."""
    if n < threshold:
        return _("< %(n)d") % {"n": threshold}
    return pgettext("a count not shown", "hidden")


def funnel(programme_ids: list[int]) -> Chart:
    """How far the programme's applications have got: each stage counts every case at or
    beyond it."""
    counts = dict(
        StateCount.objects.filter(programme_id__in=programme_ids)
        .values_list("state")
        .annotate(total=Sum("count"))
        .values_list("state", "total")
    )
    stages = [
        (_("Applied"), [s for s in State if s not in QUESTIONS]),
        (_("Verified"), list(VERIFIED_OR_LATER)),
        (_("Scheduled"), [State.SCHEDULED, State.IN_TRANSIT, State.LOST, *CROSSED]),
        (_("Received"), list(CROSSED)),
        (_("Registered"), list(REGISTERED_OR_LATER)),
    ]
    values = [(label, sum(int(counts.get(s, 0)) for s in states)) for label, states in stages]
    return bars("funnel", _("From application to registration"), values, suppress=True)


def capture_cards(programme_ids: list[int], now: datetime) -> Chart:
    late = reception.overdue_cards(programme_ids, now).count()
    pending = reception.cards_not_sent(programme_ids).count()
    values = [(_("Due, in time"), max(0, pending - late)), (_("Late"), late)]
    return bars("cards", _("Capture cards not yet sent"), values, suppress=False)
