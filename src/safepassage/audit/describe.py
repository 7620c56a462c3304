"""The audit log in words: each action and its details as a programme admin reads them.

Entries store short machine names (`case.verify`, `{"source": "applied"}`) so the chain stays
stable across translations; this module is the one place that turns them into sentences.
An action's words live beside its name in `actions.py`; a case move (`case.<action>`) takes
its label from the transition table.
"""

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from safepassage.audit.actions import Action
from safepassage.lib import display

DETAIL_NAMES: dict[str, Promise] = {
    "source": gettext_lazy("from"),
    "target": gettext_lazy("to"),
    "reason_given": gettext_lazy("reason given"),
    "crossing": gettext_lazy("crossing"),
    "sector": gettext_lazy("sector"),
    "window": gettext_lazy("window"),
    "outcome": gettext_lazy("outcome"),
    "reason": gettext_lazy("why"),
    "groups": gettext_lazy("fields read"),
    "probe_risk": gettext_lazy("probe risk"),
    "refused": gettext_lazy("particulars refused"),
    "cases": gettext_lazy("cases"),
    "proposed": gettext_lazy("proposed"),
    "prisoners": gettext_lazy("prisoners"),
    "only_new": gettext_lazy("only new"),
    "amount": gettext_lazy("amount"),
    "currency": gettext_lazy("currency"),
    "claim": gettext_lazy("claim"),
    "category": gettext_lazy("category"),
    "roles": gettext_lazy("roles"),
    "staff": gettext_lazy("staff member"),
    "kind": gettext_lazy("kind"),
    "id": gettext_lazy("number"),
    "programme_id": gettext_lazy("programme"),
    "ended_at": gettext_lazy("ended"),
    "case": gettext_lazy("case"),
    "held_key": gettext_lazy("held programme keys"),
    "reset": gettext_lazy("by a reset link"),
}


def action_label(action: str, transition_label: Callable[[str], str | None]) -> str:
    """`transition_label` names the moves of the case table (`case.verify` → "Mark verified")."""
    if action in Action.values:
        return str(Action(action).label)
    if action.startswith("case.") and (label := transition_label(action.removeprefix("case."))):
        return label
    return action.replace("_", " ").replace(".", ": ")


def _value(name: str, value: Any, names: Callable[[str, str], str | None]) -> str:
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if name == "probe_risk" and isinstance(value, int | float):
        return f"{round(value * 100)} %"  # "100 %", not "1.0"
    if name == "window" and isinstance(value, str):
        try:
            moment = datetime.strptime(value, "%Y%m%dT%H%MZ").replace(tzinfo=UTC)
        except ValueError:
            return value
        return display.moment(moment, display.staff_zone())
    if isinstance(value, list):
        return ", ".join(_value(name, item, names) for item in value)
    if isinstance(value, str) and (shown := names(name, value)):
        return shown
    return str(value)


def detail_text(detail: dict[str, Any], names: Callable[[str, str], str | None]) -> str:
    """ "from: Applied; to: Verifying; reason given: no". `names(key, value)` turns a stored
    code (a state, an outcome, a field group) into its label, or returns None."""
    parts = []
    for key, value in detail.items():
        label = str(DETAIL_NAMES.get(key, key.replace("_", " ")))
        parts.append(f"{label}: {_value(key, value, names)}")
    return "; ".join(parts)
