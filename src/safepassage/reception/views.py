"""Staff pages on one prisoner: his record, registration, capture card and custody events.
Thin: check the role, call reception.services, render. The desk, which shows the crossings
expected too, is a dashboard page (dashboard/desk_views.py)."""

from datetime import date
from typing import Any

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from safepassage.cases import dossier
from safepassage.cases.pages import CaseAccess, case_view
from safepassage.lib.acts import Refused, second_step, show_refusal
from safepassage.programmes.access import StaffRequest
from safepassage.programmes.roles import Role
from safepassage.reception import services
from safepassage.reception.forms import EventForm, RegistrationForm

RECEPTION = frozenset({Role.RECEPTION})
reception_get = case_view(RECEPTION, method="GET")
reception_post = case_view(RECEPTION)


def _initial(access: CaseAccess, view: services.PrisonerView | None) -> dict[str, Any]:
    if view and view.particulars:
        initial = dict(view.particulars)
    else:
        initial = dossier.application_identity(access.case, access.keyring)
        initial["language"] = "ru"
    if isinstance(initial.get("date_of_birth"), str) and initial["date_of_birth"]:
        try:
            initial["date_of_birth"] = date.fromisoformat(initial["date_of_birth"])
        except ValueError:
            initial["date_of_birth"] = ""
    return initial


def _render(
    request: StaffRequest, access: CaseAccess, status: int = 200, **extra: object
) -> HttpResponse:
    view = services.open_prisoner(
        access.case,
        user=request.user,
        keyring=access.keyring,
    )
    context = {
        "case": access.case,
        "view": view,
        "form": RegistrationForm(initial=_initial(access, view)),
        "event_form": EventForm(correctable=services.correctable_events(access.case)),
        "zone": settings.RECEPTION_ZONE,
        "error": "",
        **extra,
    }
    return render(request, "reception/prisoner.html", context, status=status)


@reception_get
def prisoner(request: StaffRequest, access: CaseAccess) -> HttpResponse:
    return _render(request, access)


def _page_url(access: CaseAccess) -> str:
    return reverse("reception:prisoner", args=[access.case.reference])


def _back(access: CaseAccess) -> HttpResponse:
    return redirect("reception:prisoner", reference=access.case.reference)


@reception_post
def register(request: StaffRequest, access: CaseAccess) -> HttpResponse:
    form = RegistrationForm(request.POST)
    if not form.is_valid():
        return _render(request, access, status=400, form=form)
    try:
        services.register(
            access.case,
            form.cleaned_data,
            user=request.user,
            keyring=access.keyring,
        )
    except Refused as why:
        return _render(request, access, status=409, form=form, error=why.reason)
    return _back(access)


@reception_get
def card(request: StaffRequest, access: CaseAccess) -> HttpResponse:
    try:
        pdf = services.capture_card(
            access.case,
            user=request.user,
            keyring=access.keyring,
        )
    except Refused as why:
        return show_refusal(request, why.reason, _page_url(access))
    response = HttpResponse(pdf, content_type="application/pdf")
    # The file name carries the case reference only, never the prisoner's name.
    response["Content-Disposition"] = (
        f'attachment; filename="capture-card-{access.case.reference}.pdf"'
    )
    return response


@reception_post
def card_sent(request: StaffRequest, access: CaseAccess) -> HttpResponse:
    step = second_step(
        request,
        title=_("Capture card of %(case)s sent?") % {"case": access.case.reference},
        consequence=_(
            "Record this only once the card has really gone to the family and the Central "
            "Tracing Agency. It cannot be undone."
        ),
        back=reverse("reception:prisoner", args=[access.case.reference]),
    )
    if step is not None:
        return step
    try:
        services.mark_card_sent(access.case, user=request.user)
    except Refused as why:
        return show_refusal(request, why.reason, _page_url(access))
    return _back(access)


@reception_post
def event(request: StaffRequest, access: CaseAccess) -> HttpResponse:
    form = EventForm(request.POST, correctable=services.correctable_events(access.case))
    if not form.is_valid():
        return _render(request, access, status=400, event_form=form)
    try:
        services.add_event(
            access.case,
            **form.cleaned_data,
            user=request.user,
            keyring=access.keyring,
        )
    except Refused as why:
        return _render(request, access, status=409, event_form=form, error=why.reason)
    return _back(access)
