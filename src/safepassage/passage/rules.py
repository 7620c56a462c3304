"""The passage app's rules in the case transition table (cases/transitions.py names them by
path): a case is scheduled only once the receiving unit acknowledged, nobody arrives before
his window, and a crossing called off or ended tells the receiving unit."""

from datetime import datetime

from django.utils.translation import gettext as _

from safepassage.cases.models import Case
from safepassage.passage import notices, outcomes
from safepassage.reception import services as reception


def hold_fire_acknowledged(case: Case, now: datetime) -> str | None:
    if not notices.has_acknowledged_notice(case):
        return _("The receiving unit has not acknowledged a hold-fire notice.")
    return None


def window_has_begun(case: Case, now: datetime) -> str | None:
    """Nobody arrives before his window: every path to `arrive` passes this guard."""
    return outcomes.arrival_refusal(case, now)


def end_crossing(case: Case, action: str, actor: str) -> None:
    """The crossing is over or off: record its outcome, or withdraw the hold-fire notice so
    the receiving unit stops expecting anyone."""
    outcomes.end_crossing(case, action=action, actor=actor)


def arrived(case: Case, action: str, actor: str) -> None:
    """He is across: close the crossing and start the capture-card clock."""
    outcomes.end_crossing(case, action=action, actor=actor)
    reception.record_capture(case)
