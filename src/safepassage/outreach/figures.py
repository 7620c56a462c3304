"""What each campaign brought, week by week, without letting a small number point at a person:
counts from 1 to SMALL_COUNT − 1 are shown as "< SMALL_COUNT", and where one hidden cell could
be worked out from its column's total, the next smallest is hidden too (complementary
suppression). Every place that shows or exports these figures goes through `table`.

A case counts under the week it came in, in the staff's calendar (a Monday in Kyiv);
verified, crossed and registered by how far it has got now. Read from the counters
(`cases.CampaignCount`): a case's own campaign is sealed."""

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from safepassage.cases.models import CampaignCount
from safepassage.cases.states import CROSSED, QUESTIONS, State
from safepassage.lib import display
from safepassage.lib.chart_geometry import bars, suppress
from safepassage.outreach.models import Campaign
from safepassage.programmes.models import Programme

VERIFIED_OR_LATER = (
    State.VERIFIED,
    State.DORMANT,
    State.SCHEDULED,
    State.IN_TRANSIT,
    State.LOST,
    *CROSSED,
)
REGISTERED_OR_LATER = (State.REGISTERED, State.PATHWAY_CHOSEN, State.CLOSED)
MEASURES = (
    ("applications", gettext_lazy("Applications"), None),
    ("verified", gettext_lazy("Verified"), VERIFIED_OR_LATER),
    ("crossed", gettext_lazy("Crossed"), CROSSED),
    ("registered", gettext_lazy("Registered"), REGISTERED_OR_LATER),
)


@dataclass(frozen=True)
class Table:
    campaign: Campaign
    weeks: list[tuple[date, list[str]]]  # the week's Monday, a shown figure per measure
    total: list[str]

    @property
    def chart(self) -> Any:
        """Applications per week as bars, drawn from the shown figures: what the table hides
        (complementary cells included), the chart hides too."""
        values = [
            (display.day(monday), 1 if shown[0].startswith("<") else int(shown[0]))
            for monday, shown in self.weeks
        ]
        return bars(
            f"campaign-{self.campaign.code}", _("Applications per week"), values, suppress=True
        )


def weeks_hidden(tables: list[Table]) -> set[tuple[int, date]]:
    """The (campaign, Monday) whose applications the tables hide: the daily chart beside them
    must not add up to them (outreach/daily.py, through chart_geometry.complementary)."""
    return {
        (table.campaign.pk, monday)
        for table in tables
        for monday, shown in table.weeks
        if not shown[0].isdigit()
    }


def tables(programme: Programme) -> list[Table]:
    threshold = settings.OUTREACH_SMALL_COUNT
    counted: dict[int, dict[date, Counter[str]]] = {}
    rows = (
        CampaignCount.objects.filter(campaign__programme=programme, count__gt=0)
        .exclude(state__in=QUESTIONS)
        .values_list("campaign_id", "day", "state", "count")
    )
    for campaign_id, day, state, n in rows:
        weeks = counted.setdefault(campaign_id, {})
        cell = weeks.setdefault(day - timedelta(days=day.weekday()), Counter())
        for key, _label, states in MEASURES:
            if states is None or state in states:
                cell[key] += n
    result = []
    for campaign in Campaign.objects.filter(programme=programme):
        by_week = sorted(counted.get(campaign.pk, {}).items())
        numbers = [[cell[key] for key, _l, _s in MEASURES] for _monday, cell in by_week]
        shown, total = suppress(numbers, threshold)
        mondays = [monday for monday, _cell in by_week]
        result.append(
            Table(
                campaign,
                list(zip(mondays, shown, strict=True)),
                total or [str(0)] * len(MEASURES),
            )
        )
    return result
