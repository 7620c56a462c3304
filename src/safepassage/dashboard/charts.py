"""The staff home's pictures besides applications per day (`outreach/daily.py`): how far the
programme's applications have got, and the capture cards not yet sent; drawn as SVG by
`_chart.html` from `lib/chart_geometry`, each with its numbers as a table beside it."""

from datetime import datetime

from django.db.models import Sum
from django.utils.translation import gettext as _

from safepassage.cases.models import StateCount
from safepassage.cases.states import CROSSED, QUESTIONS, State
from safepassage.lib.chart_geometry import Chart, bars
from safepassage.outreach.figures import REGISTERED_OR_LATER, VERIFIED_OR_LATER
from safepassage.reception import services as reception


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
