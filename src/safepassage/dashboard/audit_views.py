"""Programme admins browse their programme's audit log, in words (audit/describe.py)."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from safepassage.aftercare.models import Category, Consent
from safepassage.audit import describe
from safepassage.audit.log import verify
from safepassage.audit.models import AuditEvent
from safepassage.cases.models import ProbeSignal
from safepassage.cases.states import State
from safepassage.cases.transitions import BY_ACTION
from safepassage.passage.models import Crossing
from safepassage.programmes.access import StaffRequest, staff_required
from safepassage.programmes.roles import GROUP_LABELS, Role
from safepassage.programmes.services import programme_by_slug

# Stored codes whose labels live in the apps' own choices.
CODES: dict[str, dict[str, Any]] = {
    "source": dict(State.choices),
    "target": dict(State.choices),
    "outcome": dict(Crossing.Outcome.choices),
    "kind": {**dict(ProbeSignal.Kind.choices), **dict(Consent.Kind.choices)},
    "category": dict(Category.choices),
    "roles": dict(Role.choices),
    # What a read opened: the field groups, and the coordinator's planning page.
    "groups": {**GROUP_LABELS, "planning": gettext_lazy("crossing planning")},
}


def _code_label(key: str, value: str) -> str | None:
    if key == "reason" and value in BY_ACTION:
        return str(BY_ACTION[value].label)
    label = CODES.get(key, {}).get(value)
    return str(label) if label is not None else None


def _transition_label(action: str) -> str | None:
    return str(BY_ACTION[action].label) if action in BY_ACTION else None


@dataclass(frozen=True)
class Row:
    seq: int
    at: datetime
    actor: str
    action: str
    case_ref: str
    detail: str


def _actors(events: list[AuditEvent]) -> dict[str, str]:
    ids = {e.actor.removeprefix("staff:") for e in events if e.actor.startswith("staff:")}
    names = dict(
        User.objects.filter(pk__in=[int(i) for i in ids if i.isdigit()]).values_list(
            "pk", "username"
        )
    )
    shown = {"system": _("the system"), "applicant": _("the applicant")}
    for pk, name in names.items():
        shown[f"staff:{pk}"] = name
    return shown


@staff_required
def browse(request: StaffRequest, slug: str) -> HttpResponse:
    programme = programme_by_slug(slug)
    if programme is None or programme.pk not in request.scope.admin_programme_ids():
        raise Http404
    events = AuditEvent.objects.filter(programme_id_ref=programme.pk).order_by("-seq")
    page = Paginator(events, 100).get_page(request.GET.get("page"))
    entries = list(page.object_list)
    actors = _actors(entries)
    rows = [
        Row(
            seq=e.seq,
            at=e.at,
            actor=actors.get(e.actor, e.actor),
            action=describe.action_label(e.action, _transition_label),
            case_ref=e.case_ref,
            detail=describe.detail_text(e.detail or {}, _code_label),
        )
        for e in entries
    ]
    return render(
        request,
        "dashboard/audit.html",
        {
            "programme": programme,
            "page": page,
            "rows": rows,
            "problems": verify() if "verify" in request.GET else None,
        },
    )
