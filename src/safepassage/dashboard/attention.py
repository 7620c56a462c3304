"""What needs someone now: the attention list on the staff home and in the queue.

Each item stays until someone acts on it: a verifier clears the probe signal (a duress
sign-in included), staff answer the applicant, the coordinator plans the case again after
a decline or a request for another time, reception sends the late capture card. The list
reads through each app's own functions; it only decides who sees what.
"""

from dataclasses import dataclass
from datetime import datetime

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from safepassage.cases import probes, queues
from safepassage.cases.models import ProbeSignal
from safepassage.passage import planning as passage
from safepassage.passage.models import Crossing
from safepassage.programmes.roles import Role, roles_opening
from safepassage.programmes.services import StaffScope
from safepassage.reception import services as reception

LABELS: dict[str, Promise] = {
    "duress": _("The duress codename was used"),
    "duress_crossing": _("The duress codename was used: keep the crossing or call it off"),
    "probe": _("Probe signal raised"),
    "message": _("New message from the applicant"),
    "call": _("Hotline call waiting for an answer"),
    "declined": _("The receiving unit declined the notice"),
    "other_time": _("The applicant asked for another time"),
    "card_late": _("Capture card late"),
}
# Which roles act on each kind of item.
ACTED_ON_BY: dict[str, frozenset[Role]] = {
    "duress": frozenset({Role.VERIFIER, Role.INTAKE}),
    "duress_crossing": frozenset({Role.COORDINATOR}),
    "probe": frozenset({Role.VERIFIER, Role.INTAKE}),
    "message": frozenset({Role.INTAKE, Role.VERIFIER, Role.COORDINATOR}),
    "call": frozenset({Role.INTAKE, Role.VERIFIER, Role.COORDINATOR}),
    "declined": frozenset({Role.COORDINATOR}),
    "other_time": frozenset({Role.COORDINATOR}),
    "card_late": frozenset({Role.RECEPTION}),
}


@dataclass(frozen=True)
class Item:
    programme_id: int
    reference: str
    kind: str
    since: datetime
    state: str = ""

    @property
    def label(self) -> str:
        return str(LABELS[self.kind])


def _programmes_for(scope: StaffScope, kind: str) -> list[int]:
    return sorted(pid for pid, roles in scope.roles.items() if roles & ACTED_ON_BY[kind])


def items_for(scope: StaffScope, now: datetime) -> list[Item]:
    """Everything this person's roles act on, oldest first."""
    found: list[Item] = []
    # One read of the open signals for both: the verifiers' items, and the coordinator's
    # decision about a crossing in preparation whose applicant was forced. Who sees which is
    # decided below, by ACTED_ON_BY.
    signal_programmes = sorted(
        set(_programmes_for(scope, "probe")) | set(_programmes_for(scope, "duress_crossing"))
    )
    for signal in probes.open_probe_signals(signal_programmes):
        duress = signal.kind == ProbeSignal.Kind.DURESS
        case, since = signal.case, signal.created_at
        kind = "duress" if duress else "probe"
        found.append(Item(case.programme_id, case.reference, kind, since, case.state))
        if duress and passage.has_active_crossing(case):
            found.append(
                Item(case.programme_id, case.reference, "duress_crossing", since, case.state)
            )
    # Each item's time is its event's: his first unanswered message (or the call), the
    # unit's decline, his request for another time.
    for case in queues.awaiting_reply(_programmes_for(scope, "message")):
        kind = "message" if getattr(case, "wrote", True) else "call"  # annotated by the query
        since = case.awaiting_since or case.created_at
        found.append(Item(case.programme_id, case.reference, kind, since, case.state))
    for crossing in passage.needing_a_new_plan(_programmes_for(scope, "declined")):
        if crossing.status == Crossing.Status.DECLINED:
            kind, since = "declined", crossing.responded_at or crossing.created_at
        else:
            kind, since = "other_time", crossing.closed_at or crossing.created_at
        case = crossing.case
        found.append(Item(case.programme_id, case.reference, kind, since, case.state))
    for prisoner in reception.overdue_cards(_programmes_for(scope, "card_late"), now)[:50]:
        case = prisoner.case
        found.append(
            Item(case.programme_id, case.reference, "card_late", prisoner.captured_at, case.state)
        )
    # Only what one of his roles that acts on it may open in the case's state (roles.OPENS).
    found = [
        item
        for item in found
        if roles_opening(scope.roles_in(item.programme_id) & ACTED_ON_BY[item.kind], item.state)
    ]
    found.sort(key=lambda item: (not item.kind.startswith("duress"), item.since))
    return found


def kinds_by_case(items: list[Item]) -> dict[str, list[str]]:
    """The queue's attention column: each case's items, as labels."""
    by_case: dict[str, list[str]] = {}
    for item in items:
        by_case.setdefault(item.reference, []).append(item.label)
    return by_case
