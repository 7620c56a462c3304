"""Staff pages on a case: the case itself, its actions, notes, messages and the probe flag.
Thin: check scope, call services, render."""

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from safepassage.cases import casework, dossier, transitions
from safepassage.cases.forms import ActionForm, MessageForm, NoteForm, ProbeForm
from safepassage.cases.pages import CaseAccess, Locked, case_access, case_post, locked
from safepassage.lib.acts import Refused, second_step, show_refusal
from safepassage.programmes.access import StaffRequest, staff_required
from safepassage.programmes.roles import Role


def _render_case(
    request: StaffRequest, access: CaseAccess, status: int = 200, **extra: object
) -> HttpResponse:
    view = casework.open_case(
        access.case,
        user=request.user,
        roles=access.roles,
        keyring=access.keyring,
    )
    context = {
        "view": view,
        "actions": transitions.available(access.case, access.roles),
        "can_flag": Role.VERIFIER in access.roles,
        "crossing_link": bool({Role.COORDINATOR, Role.VERIFIER} & access.roles),
        "reception_link": Role.RECEPTION in access.roles,
        "aftercare_link": Role.AFTERCARE in access.roles,
        "note_form": NoteForm(),
        "message_form": MessageForm(),
        "action_form": ActionForm(),
        "error": "",
        **extra,
    }
    return render(request, "cases/case.html", context, status=status)


@staff_required
def case_detail(request: StaffRequest, reference: str) -> HttpResponse:
    try:
        return _render_case(request, case_access(request, reference))
    except Locked:
        return locked(request)


def _case_url(access: CaseAccess) -> str:
    return reverse("cases:detail", args=[access.case.reference])


def _back(access: CaseAccess) -> HttpResponse:
    return redirect("cases:detail", reference=access.case.reference)


@case_post
def case_action(request: StaffRequest, access: CaseAccess) -> HttpResponse:
    form = ActionForm(request.POST)
    if not form.is_valid():
        return _render_case(request, access, status=400, action_form=form)
    transition = transitions.BY_ACTION.get(form.cleaned_data["action"])
    if (
        transition
        and transition.grave
        and transition in transitions.available(access.case, access.roles)
    ):
        step = second_step(
            request,
            title=_("%(action)s: case %(case)s?")
            % {"action": transition.label, "case": access.case.reference},
            consequence=_("This cannot be undone.")
            if not transition.ends_case
            else _("This ends the case: nothing more will happen with it."),
            back=reverse("cases:detail", args=[access.case.reference]),
            reason_required=transition.ends_case,
        )
        if step is not None:
            return step
    try:
        casework.staff_transition(
            access.case,
            form.cleaned_data["action"],
            user=request.user,
            roles=access.roles,
            keyring=access.keyring,
            reason=form.cleaned_data["reason"],
        )
    except Refused as why:
        return show_refusal(request, why.reason, _case_url(access))
    return _back(access)


@case_post
def case_note(request: StaffRequest, access: CaseAccess) -> HttpResponse:
    form = NoteForm(request.POST)
    if not form.is_valid():
        return _render_case(request, access, status=400, note_form=form)
    casework.add_note(access.case, user=request.user, text=form.cleaned_data["text"])
    return _back(access)


@case_post
def case_message(request: StaffRequest, access: CaseAccess) -> HttpResponse:
    if not {Role.INTAKE, Role.VERIFIER, Role.COORDINATOR} & access.roles:
        raise Http404
    form = MessageForm(request.POST)
    if not form.is_valid():
        return _render_case(request, access, status=400, message_form=form)
    try:
        casework.staff_message(
            access.case,
            user=request.user,
            keyring=access.keyring,
            text=form.cleaned_data["text"],
        )
    except dossier.CaseShredded as shredded:
        return show_refusal(request, shredded.reason, _case_url(access))
    return _back(access)


@case_post
def case_probe(request: StaffRequest, access: CaseAccess) -> HttpResponse:
    form = ProbeForm(request.POST)
    if Role.VERIFIER not in access.roles or not form.is_valid():
        raise Http404
    casework.set_probe_flag(
        access.case,
        user=request.user,
        flagged=form.cleaned_data["flagged"],
    )
    return _back(access)
