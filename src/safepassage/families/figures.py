"""The tracing officer's figures (issue #24): inquiries received per day, and how many people
asked about stood at each rung of the answer ladder after each release, with the small-count
rule (lib/chart_geometry.suppress): a count under the threshold is shown as "< N", and where
one hidden cell could be worked out from its column's total the next smallest is hidden too.
The chart is drawn from the shown figures, so it hides what the table hides."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from safepassage.families.models import AnswerRelease, Inquiry
from safepassage.families.releases import EXCHANGED, ICRC_CONFIRMED, REGISTERED
from safepassage.lib import display
from safepassage.lib.chart_geometry import bars, suppress
from safepassage.programmes.models import Programme

DAYS = 14
RELEASES = 10


@dataclass(frozen=True)
class Figures:
    days: list[tuple[date, str]]  # each of the last DAYS days, the inquiries shown
    days_total: str
    # Each release moment: how many stood at each rung after it (registered, confirmed by the
    # ICRC, exchanged). Not
    # summed: each row is a state, not a flow.
    releases: list[tuple[datetime, list[str]]]

    @property
    def chart(self) -> Any:
        values = [
            (display.day(day)[:5], 1 if shown.startswith("<") else int(shown))
            for day, shown in self.days
        ]
        return bars("inquiries-per-day", _("Inquiries per day"), values, suppress=True)


def figures(programme: Programme, now: datetime) -> Figures:
    threshold = settings.OUTREACH_SMALL_COUNT
    zone = display.staff_zone()
    today = display.calendar_day(now, zone)
    first = today - timedelta(days=DAYS - 1)
    received = Inquiry.objects.filter(
        programme=programme, received_at__gte=display.start_of_day(first, zone)
    ).values_list("received_at", flat=True)
    per_day = dict.fromkeys((first + timedelta(days=n) for n in range(DAYS)), 0)
    for moment in received:
        day = display.calendar_day(moment, zone)
        if day in per_day:
            per_day[day] += 1
    shown_days, days_total = suppress([[n] for n in per_day.values()], threshold)
    latest = list(AnswerRelease.objects.order_by("-moment")[:RELEASES])[::-1]
    counted = [release.counts.get(str(programme.pk), {}) for release in latest]
    rows = [[c.get(REGISTERED, 0), c.get(ICRC_CONFIRMED, 0), c.get(EXCHANGED, 0)] for c in counted]
    shown_releases = suppress(rows, threshold)[0] if rows else []
    return Figures(
        days=[(day, shown[0]) for day, shown in zip(per_day, shown_days, strict=True)],
        days_total=days_total[0],
        releases=[
            (release.moment, shown) for release, shown in zip(latest, shown_releases, strict=True)
        ],
    )
