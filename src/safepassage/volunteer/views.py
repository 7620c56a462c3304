"""Staff pages of volunteer service, open only to the volunteer-service role: a list of the
people who chose it, and one page per person. Thin: check the role, call services, render."""

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from safepassage.audit import log
from safepassage.cases.pages import CaseAccess, case_view
from safepassage.lib.acts import Refused, show_refusal
from safepassage.programmes.access import StaffRequest, staff_required
from safepassage.programmes.roles import Role
from safepassage.programmes.services import programme_by_slug
from safepassage.volunteer import services
from safepassage.volunteer.forms import StartForm, StepForm

VOLUNTEER = frozenset({Role.VOLUNTEER})
volunteer_get = case_view(VOLUNTEER, method="GET")
volunteer_post = case_view(VOLUNTEER)


@staff_required
def candidates(request: StaffRequest, slug: str) -> HttpResponse:
    programme = programme_by_slug(slug)
    if programme is None or Role.VOLUNTEER not in request.scope.roles_in(programme.pk):
        raise Http404
    return render(
        request,
        "volunteer/candidates.html",
        {"programme": programme, "cases": services.candidates(programme)},
    )


def _render(
    request: StaffRequest, access: CaseAccess, status: int = 200, **extra: object
) -> HttpResponse:
    view = services.open_case(
        access.case,
        user=request.user,
        keyring=access.keyring,
    )
    context = {"view": view, "start_form": StartForm(), "error": "", **extra}
    return render(request, "volunteer/service.html", context, status=status)


@volunteer_get
def service(request: StaffRequest, access: CaseAccess) -> HttpResponse:
    return _render(request, access)


def _page_url(access: CaseAccess) -> str:
    return reverse("volunteer:service", args=[access.case.reference])


def _back(access: CaseAccess) -> HttpResponse:
    return redirect("volunteer:service", reference=access.case.reference)


@volunteer_post
def step(request: StaffRequest, access: CaseAccess) -> HttpResponse:
    form = StepForm(request.POST)
    if not form.is_valid():
        raise Http404
    user = request.user
    try:
        if form.cleaned_data["step"] == "open":
            services.open_service(access.case, user=user)
        else:
            services.end_service(access.case, reason="ended", actor=log.staff_actor(user))
    except Refused as why:
        return show_refusal(request, why.reason, _page_url(access))
    return _back(access)


@volunteer_post
def start(request: StaffRequest, access: CaseAccess) -> HttpResponse:
    form = StartForm(request.POST)
    if not form.is_valid():
        return _render(request, access, status=400, start_form=form)
    try:
        services.start_service(
            access.case,
            posting=form.cleaned_data["posting"],
            user=request.user,
            keyring=access.keyring,
        )
    except Refused as why:
        return _render(request, access, status=409, start_form=form, error=why.reason)
    return _back(access)
