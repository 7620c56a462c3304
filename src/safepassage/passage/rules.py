"""The passage app's rules in the case transition table (cases/transitions.py names them by
path): a case is scheduled only once the receiving unit acknowledged, nobody arrives before
his window, and a crossing called off or ended tells the receiving unit."""

from datetime import datetime

from django.contrib.auth.models import User
from django.utils.translation import gettext as _

from safepassage.cases.models import Case
from safepassage.passage import notices, outcomes, plans
from safepassage.programmes.groupkeys import Keyring
from safepassage.programmes.roles import Role
from safepassage.reception import services as reception


def hold_fire_acknowledged(case: Case, now: datetime) -> str | None:
    if not notices.has_acknowledged_notice(case):
        return _("The receiving unit has not acknowledged a hold-fire notice.")
    return None


def window_has_begun(case: Case, now: datetime) -> str | None:
    """Nobody arrives before his window. The window is sealed and a guard holds no key, so
    the table lets `arrive` through only after `record_arrival`, which opened the plan and
    held the window to the minute, wrote the capture: a bare action is sent there."""
    if refusal := outcomes.arrival_refusal(case, now):
        return refusal
    if not reception.has_capture(case):
        return _("Record the arrival with its time on the crossing page.")
    return None


def arrived_now(
    case: Case, *, user: User, roles: frozenset[Role], keyring: Keyring, now: datetime
) -> Case:
    """The case page's "Arrived" (reception at the desk): he arrived now, checked against the
    window opened with the programme key, as every arrival is (outcomes.record_arrival)."""
    keys = plans.keys_in(case.programme_id, keyring)
    return outcomes.record_arrival(case, arrived_at=now, user=user, roles=roles, keys=keys, now=now)


def end_crossing(case: Case, action: str, actor: str) -> None:
    """The crossing is over or off: record its outcome, or withdraw the hold-fire notice so
    the receiving unit stops expecting anyone."""
    outcomes.end_crossing(case, action=action, actor=actor)


def arrived(case: Case, action: str, actor: str) -> None:
    """He is across: close the crossing and start the capture-card clock."""
    outcomes.end_crossing(case, action=action, actor=actor)
    reception.record_capture(case)
