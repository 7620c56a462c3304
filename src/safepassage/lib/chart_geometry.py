"""Bar charts as geometry, drawn by the templates as SVG (no JavaScript, nothing from another
origin, the strict CSP unchanged), and the small-count rule they share: a bar for 1 to
SMALL_COUNT − 1 is drawn grey at half the threshold's height and labelled "< SMALL_COUNT", and
`complementary` hides what a published sum would give away; `suppress` does the same for a
table of counts (outreach's campaigns, families' inquiries).

Written by hand, as small SVG geometry: the charting libraries draw with inline styles or
scripts, which the site's policy forbids, and these charts are bar charts."""

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

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


def hidden_figure(n: int, threshold: int) -> str:
    """A small count reads "< 5"; a larger one hidden to protect it reads "hidden" (saying
    "< 5" of it would be false)."""
    if n < threshold:
        return _("< %(n)d") % {"n": threshold}
    return pgettext("a count not shown", "hidden")


def suppress(rows: list[list[int]], threshold: int) -> tuple[list[list[str]], list[str]]:
    """Rows of counts (one column per measure) as shown, and the column totals. A count of 1
    to threshold − 1 is hidden; a total under the threshold too; and a column with exactly one
    hidden cell hides its next smallest as well, so the total cannot give the hidden one away."""
    hidden = [[0 < n < threshold for n in row] for row in rows]
    totals = [sum(row[col] for row in rows) for col in range(len(rows[0]))] if rows else []
    for col, total in enumerate(totals):
        column = [row[col] for row in rows]
        if sum(h[col] for h in hidden) == 1 and total >= threshold:
            candidates = [i for i, n in enumerate(column) if n > 0 and not hidden[i][col]]
            if candidates:
                smallest = min(candidates, key=lambda i: column[i])
                hidden[smallest][col] = True
    less = _("< %(n)d") % {"n": threshold}
    shown = [
        [less if hidden[i][col] else str(n) for col, n in enumerate(row)]
        for i, row in enumerate(rows)
    ]
    shown_totals = [less if 0 < t < threshold else str(t) for t in totals]
    return shown, shown_totals
