"""The audit log in words: each action and its details as a programme admin reads them.

Entries store short machine names (`case.verify`, `{"source": "applied"}`) so the chain stays
stable across translations; this module is the one place that turns them into sentences.
A case move (`case.<action>`) takes its label from the transition table.
"""

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from safepassage import display

ACTIONS: dict[str, Promise] = {
    "case.opened": gettext_lazy("Case opened"),
    "case.read": gettext_lazy("Case read"),
    "case.queue_read": gettext_lazy("Queue page read (directions)"),
    "case.note_added": gettext_lazy("Staff note added"),
    "case.shredded": gettext_lazy("Case destroyed (retention)"),
    "case.probe_flag_raised": gettext_lazy("Flagged as a possible probe"),
    "case.probe_signals_cleared": gettext_lazy("Probe signals cleared"),
    "case.probe_signal.burst": gettext_lazy("Probe signal: burst of near-identical applications"),
    "case.probe_signal.identity_two_directions": gettext_lazy(
        "Probe signal: the same person from another direction"
    ),
    "applicant.entered": gettext_lazy("Applicant signed in"),
    "applicant.duress": gettext_lazy("Duress codename used"),
    "applicant.duress_codename_created": gettext_lazy("Duress codename made"),
    "passage.constraints_set": gettext_lazy("Where and when he can cross: saved"),
    "passage.notice_sent": gettext_lazy("Hold-fire notice sent"),
    "passage.notice_acknowledged": gettext_lazy("Hold-fire notice acknowledged"),
    "passage.notice_declined": gettext_lazy("Hold-fire notice declined"),
    "passage.notice_withdrawn": gettext_lazy("Hold-fire notice withdrawn"),
    "passage.notice_expired": gettext_lazy("Hold-fire notice expired unanswered"),
    "passage.instructions_released": gettext_lazy("Instructions shown to the applicant"),
    "passage.applicant_confirmed": gettext_lazy("Applicant confirmed the crossing"),
    "passage.probe_hold_overridden": gettext_lazy("Instructions released despite probe risk"),
    "passage.outcome": gettext_lazy("Crossing outcome recorded"),
    "passage.planner_run": gettext_lazy("Planner run"),
    "passage.sector_saved": gettext_lazy("Sector saved"),
    "passage.receivingunit_saved": gettext_lazy("Receiving unit saved"),
    "reception.read": gettext_lazy("Prisoner record read"),
    "reception.registered": gettext_lazy("Prisoner registered (Art. 17)"),
    "reception.particulars_corrected": gettext_lazy("Particulars corrected"),
    "reception.event_recorded": gettext_lazy("Custody event recorded"),
    "reception.card_produced": gettext_lazy("Capture card produced"),
    "reception.card_sent": gettext_lazy("Capture card sent"),
    "reception.bureau_export": gettext_lazy("Information-bureau export"),
    "aftercare.consent_given": gettext_lazy("Consent given"),
    "aftercare.consent_withdrawn": gettext_lazy("Consent withdrawn"),
    "aftercare.consents_read": gettext_lazy("Consents read"),
    "aftercare.claims_read": gettext_lazy("Reward claims read"),
    "aftercare.equipment": gettext_lazy("Equipment recorded"),
    "aftercare.claim_opened": gettext_lazy("Reward claim opened"),
    "aftercare.claim_verified": gettext_lazy("Reward claim verified"),
    "aftercare.claim_approved": gettext_lazy("Reward claim approved"),
    "aftercare.payment_recorded": gettext_lazy("Payment recorded"),
    "aftercare.rate_changed": gettext_lazy("Reward rate changed"),
    "volunteer.opened": gettext_lazy("Volunteer service record opened"),
    "volunteer.read": gettext_lazy("Volunteer service record read"),
    "volunteer.started": gettext_lazy("Volunteer service started"),
    "volunteer.ended": gettext_lazy("Volunteer service ended"),
    "staff.added": gettext_lazy("Staff member added"),
    "staff.password_accepted": gettext_lazy("Password accepted"),
    "staff.second_factor_enrolled": gettext_lazy("Second factor enrolled"),
    "staff.second_factor_failed": gettext_lazy("Wrong second-factor code"),
    "staff.signed_in": gettext_lazy("Signed in"),
    "staff.signed_out": gettext_lazy("Signed out"),
    "ops.backup_written": gettext_lazy("Backup written"),
    "programme.created": gettext_lazy("Programme created"),
    "message.from_applicant": gettext_lazy("Message from the applicant"),
    "message.to_applicant": gettext_lazy("Message to the applicant"),
}

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
}


def action_label(action: str, transition_label: Callable[[str], str | None]) -> str:
    """`transition_label` names the moves of the case table (`case.verify` → "Mark verified")."""
    if action in ACTIONS:
        return str(ACTIONS[action])
    if action.startswith("case.") and (label := transition_label(action.removeprefix("case."))):
        return label
    return action.replace("_", " ").replace(".", ": ")


def _value(name: str, value: Any, names: Callable[[str, str], str | None]) -> str:
    if isinstance(value, bool):
        return _("yes") if value else _("no")
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
