"""Staff pages of the passage app: sectors (admin), planning a crossing (coordinator), the
unit keys, the planner run and the calibration report. Thin: check the role, call one service
of passage, render. The liaison's console is in `liaison_views.py`."""

from typing import Any

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from safepassage.cases.pages import CaseAccess, Locked, case_access, case_post, locked
from safepassage.lib import chart_geometry, display
from safepassage.lib.acts import Refused, second_step, show_refusal
from safepassage.passage import batch, duress, learning, outcomes, planning, plans, windows
from safepassage.passage import calibration as calibration_report
from safepassage.passage import notices as hold_fire
from safepassage.passage import sectors as sector_setup
from safepassage.passage.forms import (
    ArrivalTimeField,
    ConstraintsForm,
    KeepAfterDuressForm,
    OutcomeForm,
    OverrideForm,
    PlanForm,
    ReceivingUnitForm,
    SectorForm,
)
from safepassage.passage.models import Crossing, ReceivingUnit, Sector
from safepassage.passage.recognition import PROTOCOLS, SIGNALS
from safepassage.programmes import session_keys
from safepassage.programmes.access import StaffRequest, staff_required
from safepassage.programmes.models import Programme
from safepassage.programmes.roles import Role
from safepassage.programmes.services import programme_by_slug


def _programme(request: StaffRequest, slug: str, *roles: Role) -> Programme:
    programme = programme_by_slug(slug)
    if programme is None or not set(roles) & request.scope.roles_in(programme.pk):
        raise Http404
    return programme


# --- Admin: sectors and receiving units -------------------------------------------------------


@staff_required
def sectors(request: StaffRequest, slug: str) -> HttpResponse:
    programme = _programme(request, slug, Role.ADMIN)
    return render(
        request,
        "passage/sectors.html",
        {
            "programme": programme,
            "sectors": sector_setup.sectors_of(programme, active_only=False),
            "units": sector_setup.units_of(programme).prefetch_related("liaisons"),
            "signals": SIGNALS.values(),
            "protocols": PROTOCOLS.values(),
        },
    )


def _edit(
    request: StaffRequest,
    slug: str,
    form_class: type[SectorForm] | type[ReceivingUnitForm],
    instance: Any,
    title: str,
) -> HttpResponse:
    programme = _programme(request, slug, Role.ADMIN)
    if instance is not None and instance.programme_id != programme.pk:
        raise Http404
    form = form_class(request.POST or None, instance=instance, programme=programme)
    if request.method == "POST" and form.is_valid():
        sector_setup.save_configuration(form, programme, user=request.user)
        return redirect("passage:sectors", slug=programme.slug)
    status = 400 if request.method == "POST" else 200
    context = {"programme": programme, "form": form, "title": title}
    return render(request, "passage/edit.html", context, status=status)


@require_http_methods(["GET", "POST"])
@staff_required
def sector_edit(request: StaffRequest, slug: str, pk: int | None = None) -> HttpResponse:
    instance = get_object_or_404(Sector, pk=pk) if pk else None
    return _edit(request, slug, SectorForm, instance, _("Sector"))


@require_http_methods(["GET", "POST"])
@staff_required
def unit_edit(request: StaffRequest, slug: str, pk: int | None = None) -> HttpResponse:
    instance = get_object_or_404(ReceivingUnit, pk=pk) if pk else None
    return _edit(request, slug, ReceivingUnitForm, instance, _("Receiving unit"))


# --- Coordinator (and verifier): one case's crossing ------------------------------------------

PLANNERS = {Role.COORDINATOR, Role.VERIFIER}


def _render_crossing(
    request: StaffRequest, access: CaseAccess, status: int = 200, **extra: Any
) -> HttpResponse:
    if not PLANNERS & access.roles:
        raise Http404
    case = access.case
    now = timezone.now()
    if (active := planning.active_crossing(case, access.keyring)) is not None:
        hold_fire.expire_seen([active], now)  # the worker would only at the night's end
    view = planning.planning_view(
        case,
        user=request.user,
        keyring=access.keyring,
        now=now,
    )
    suggestion = view.options[0] if view.options else None
    programme_sectors = list(sector_setup.sectors_of(case.programme))
    initial = {"head_count": view.head_count, "escort": Crossing.Escort.DRONE}
    if suggestion:
        initial |= {
            "sector": suggestion.sector.pk,
            "window": suggestion.window.key,
            "signal": suggestion.signal,
        }
    context = {
        "case": case,
        "view": view,
        "suggestion": suggestion,
        "coordinator": Role.COORDINATOR in access.roles,
        "verifier": Role.VERIFIER in access.roles,
        "plan_form": PlanForm(
            initial=initial,
            sectors=[(s.pk, s.name) for s in programme_sectors],
            windows=_window_choices(now),
        ),
        "constraints_form": ConstraintsForm(
            programme=case.programme,
            initial={
                "sectors": list(view.constraints.sector_ids),
                "available_from": view.constraints.available_from,
                "available_until": view.constraints.available_until,
            },
        ),
        "outcome_form": OutcomeForm(initial={"arrived_at": ArrivalTimeField.now_initial()}),
        "override_form": OverrideForm(),
        "keep_form": KeepAfterDuressForm(),
        "signals": SIGNALS,
        "error": "",
        **extra,
    }
    return render(request, "passage/crossing.html", context, status=status)


def _window_choices(now: Any) -> list[tuple[str, str]]:
    zone = display.window_zone()
    return [
        (w.key, f"{display.window(w.start, w.end, zone)} · {w.band_label}")
        for w in windows.upcoming(now)
    ]


@staff_required
def crossing(request: StaffRequest, reference: str) -> HttpResponse:
    try:
        return _render_crossing(request, case_access(request, reference))
    except Locked:
        return locked(request)


def _crossing_url(access: CaseAccess) -> str:
    return reverse("passage:crossing", args=[access.case.reference])


def _back(access: CaseAccess) -> HttpResponse:
    return redirect("passage:crossing", reference=access.case.reference)


def _coordinator(access: CaseAccess) -> None:
    if Role.COORDINATOR not in access.roles:
        raise Http404


@case_post
def set_constraints(request: StaffRequest, access: CaseAccess) -> HttpResponse:
    _coordinator(access)
    form = ConstraintsForm(request.POST, programme=access.case.programme)
    if not form.is_valid():
        return _render_crossing(request, access, status=400, constraints_form=form)
    planning.set_constraints(
        access.case,
        planning.Constraints(
            sector_ids=tuple(s.pk for s in form.cleaned_data["sectors"]),
            available_from=form.cleaned_data["available_from"],
            available_until=form.cleaned_data["available_until"],
        ),
        user=request.user,
        keyring=access.keyring,
    )
    return _back(access)


@case_post
def plan(request: StaffRequest, access: CaseAccess) -> HttpResponse:
    _coordinator(access)
    now = timezone.now()
    form = PlanForm(
        request.POST,
        sectors=[(s.pk, s.name) for s in sector_setup.sectors_of(access.case.programme)],
        windows=_window_choices(now),
    )
    if not form.is_valid():
        return _render_crossing(request, access, status=400, plan_form=form)
    try:
        hold_fire.send_notice(
            access.case,
            user=request.user,
            keyring=access.keyring,
            sector_id=form.cleaned_data["sector"],
            window_key=form.cleaned_data["window"],
            signal=form.cleaned_data["signal"],
            escort=form.cleaned_data["escort"],
            head_count=form.cleaned_data["head_count"],
            now=now,
        )
    except Refused as why:
        return show_refusal(request, why.reason, _crossing_url(access))
    return _back(access)


@case_post
def outcome(request: StaffRequest, access: CaseAccess) -> HttpResponse:
    _coordinator(access)
    form = OutcomeForm(request.POST)
    if not form.is_valid():
        return _render_crossing(request, access, status=400, outcome_form=form)
    outcome_label = Crossing.Outcome(form.cleaned_data["outcome"]).label
    ends_case = form.cleaned_data["outcome"] in outcomes.CASE_ENDING_OUTCOMES
    step = second_step(
        request,
        title=_("Record the outcome “%(outcome)s” for case %(case)s?")
        % {"outcome": outcome_label, "case": access.case.reference},
        consequence=_("This ends the case: nothing more will happen with it.")
        if ends_case
        else _("This cannot be undone."),
        back=reverse("passage:crossing", args=[access.case.reference]),
        reason_required=ends_case,
    )
    if step is not None:
        return step
    try:
        outcomes.record_outcome(
            access.case,
            form.cleaned_data["outcome"],
            user=request.user,
            roles=access.roles,
            keys=plans.keys_of(request),
            now=timezone.now(),
            arrived_at=form.cleaned_data["arrived_at"],
            reason=request.POST.get("reason", "").strip(),
        )
    except Refused as why:
        return show_refusal(request, why.reason, _crossing_url(access))
    return _back(access)


@case_post
def override(request: StaffRequest, access: CaseAccess) -> HttpResponse:
    if Role.VERIFIER not in access.roles:
        raise Http404
    form = OverrideForm(request.POST)
    if not form.is_valid():
        return _render_crossing(request, access, status=400, override_form=form)
    try:
        planning.override_probe_hold(
            access.case,
            user=request.user,
            reason=form.cleaned_data["reason"],
        )
    except Refused as why:
        return show_refusal(request, why.reason, _crossing_url(access))
    return _back(access)


@case_post
def keep_after_duress(request: StaffRequest, access: CaseAccess) -> HttpResponse:
    """The coordinator keeps the crossing after a duress sign-in, saying why."""
    _coordinator(access)
    form = KeepAfterDuressForm(request.POST)
    if not form.is_valid():
        return _render_crossing(request, access, status=400, keep_form=form)
    try:
        duress.keep_crossing(access.case, user=request.user, reason=form.cleaned_data["reason"])
    except Refused as why:
        return show_refusal(request, why.reason, _crossing_url(access))
    return _back(access)


@case_post
def call_off_after_duress(request: StaffRequest, access: CaseAccess) -> HttpResponse:
    """The coordinator calls the crossing off after a duress sign-in (asked twice)."""
    _coordinator(access)
    step = second_step(
        request,
        title=_("Call this crossing off?"),
        consequence=_(
            "The hold-fire notice is withdrawn and the receiving unit told that nobody is"
            " coming. A verifier then decides about the case."
        ),
        back=_crossing_url(access),
    )
    if step is not None:
        return step
    try:
        duress.call_off_crossing(access.case, user=request.user)
    except Refused as why:
        return show_refusal(request, why.reason, _crossing_url(access))
    return _back(access)


@require_POST
@staff_required
def grant_unit_key(request: StaffRequest, slug: str, unit_id: int, user_id: int) -> HttpResponse:
    """A plan-key holder grants a liaison his unit's key, from his home."""
    programme = _programme(request, slug, Role.COORDINATOR, Role.RECEPTION)
    keyring = session_keys.keyring(request, programme)
    try:
        plans.grant_unit_key(programme.pk, unit_id, user_id, by=request.user, keyring=keyring)
    except Refused as why:
        return show_refusal(request, why.reason, reverse("dashboard-home"))
    return redirect("dashboard-home")


@require_POST
@staff_required
def renew_unit_key(request: StaffRequest, slug: str, unit_id: int) -> HttpResponse:
    """A plan-key holder gives a unit a new key pair after a liaison left it, from his home."""
    programme = _programme(request, slug, Role.COORDINATOR, Role.RECEPTION)
    unit = get_object_or_404(ReceivingUnit, programme=programme, pk=unit_id)
    try:
        plans.renew_unit_key(unit, session_keys.keyring(request, programme), by=request.user)
    except Refused as why:
        return show_refusal(request, why.reason, reverse("dashboard-home"))
    return redirect("dashboard-home")


# --- Coordinator: many cases at once, and how the estimates held up ---------------------------


@require_http_methods(["GET", "POST"])
@staff_required
def planner(request: StaffRequest, slug: str) -> HttpResponse:
    programme = _programme(request, slug, Role.COORDINATOR)
    keyring = session_keys.keyring(request, programme)
    if not keyring:
        return redirect("staff:login")
    now = timezone.now()
    context: dict[str, Any] = {"programme": programme}
    if request.method == "POST" and request.POST.get("do") == "send":
        result = batch.send_plan(
            programme,
            request.POST.getlist("proposal")[:2000],
            user=request.user,
            keyring=keyring,
            now=now,
        )
        context["sent"], context["refused"] = result.sent, result.refused
    elif request.method == "POST":
        context["plan"] = batch.plan_many(
            programme,
            user=request.user,
            keyring=keyring,
            now=now,
        )
    return render(request, "passage/planner.html", context)


@staff_required
def calibration(request: StaffRequest, slug: str) -> HttpResponse:
    programme = _programme(request, slug, Role.COORDINATOR, Role.ADMIN)
    if keyring := session_keys.keyring(request, programme):
        learning.count_outcomes(programme.pk, keyring)  # an admin reads what was counted
    rows = calibration_report.calibration(programme)
    outcomes = [
        (f"{row.sector}: {outcome}", n) for row in rows for outcome, n in row.outcomes.items()
    ]
    context = {
        "programme": programme,
        "rows": rows,
        # The table above shows each count as it is; the chart shows the same, not "< 5".
        "chart": chart_geometry.bars(
            "outcomes", _("Crossings by outcome, per sector"), outcomes, suppress=False
        ),
        "may_reset": Role.ADMIN in request.scope.roles_in(programme.pk),
    }
    return render(request, "passage/calibration.html", context)


@require_POST
@staff_required
def reset_learning(request: StaffRequest, slug: str, pk: int) -> HttpResponse:
    programme = _programme(request, slug, Role.ADMIN)
    step = second_step(
        request,
        title=_("Forget what this sector's outcomes taught?"),
        consequence=_(
            "Its estimates go back to the figures on the sector page until new outcomes "
            "come in. Do this after the front line has moved."
        ),
        back=reverse("passage:calibration", args=[programme.slug]),
    )
    if step is not None:
        return step
    try:
        calibration_report.reset_learning(programme, pk, user=request.user)
    except Sector.DoesNotExist as missing:
        raise Http404 from missing
    return redirect("passage:calibration", slug=programme.slug)
