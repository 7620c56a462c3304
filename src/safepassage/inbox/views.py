"""The operators' pages: a call taken on the phone, the codename read back, one inbox for
every channel with one-step replies and templates, and the admin's reply templates. Thin:
check the role, call hotline.py or services.py, render."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from safepassage.cases import casework, dossier, pacing
from safepassage.cases.models import Case
from safepassage.cases.pages import case_access, locked
from safepassage.inbox import hotline, services
from safepassage.inbox.forms import CallForm, ReadBackForm, ReplyForm, TemplateForm
from safepassage.inbox.models import ReplyTemplate
from safepassage.lib import display
from safepassage.lib.acts import Refused, show_refusal
from safepassage.programmes import session_keys
from safepassage.programmes.access import StaffRequest, staff_required
from safepassage.programmes.models import Programme
from safepassage.programmes.roles import Role
from safepassage.programmes.services import programme_by_slug
from safepassage.programmes.sessions import StaffBrowserSession


def _programme(request: StaffRequest, slug: str, roles: set[Role]) -> Programme:
    programme = programme_by_slug(slug)
    if programme is None or not roles & request.scope.roles_in(programme.pk):
        raise Http404
    return programme


def _answering(request: StaffRequest, slug: str) -> tuple[Programme, frozenset[Role]]:
    programme = programme_by_slug(slug)
    roles = services.answering_roles(request.scope.roles_in(programme.pk)) if programme else None
    if programme is None or not roles:
        raise Http404
    return programme, roles


# --- A call ------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@staff_required
def call(request: StaffRequest, slug: str) -> HttpResponse:
    programme = _programme(request, slug, {Role.INTAKE})
    initial = {"token": pacing.issue(programme)}
    form = CallForm(request.POST or None, initial=initial, programme=programme)
    if request.method == "POST" and form.is_valid():
        verdict = pacing.admit(form.cleaned_data["token"], programme)
        if not verdict.admitted:  # the same wait as any application (cases/pacing.py)
            return _record_again(request, programme, verdict)
        try:
            case, codename = hotline.record_call(
                programme, form.cleaned_data, user=request.user, token=form.cleaned_data["token"]
            )
        except Refused as why:
            return show_refusal(request, why.reason, reverse("inbox:call", args=[slug]))
        StaffBrowserSession(request).take_call(codename, case.reference)
        return redirect("inbox:read_back", slug=programme.slug)
    status = 400 if request.method == "POST" else 200
    return render(request, "inbox/call.html", {"programme": programme, "form": form}, status=status)


def _record_again(
    request: StaffRequest, programme: Programme, verdict: pacing.Verdict
) -> HttpResponse:
    data = request.POST.copy()
    data["token"] = verdict.ticket
    form = CallForm(data, programme=programme)
    form.is_valid()
    assert verdict.not_before is not None
    context = {
        "programme": programme,
        "form": form,
        "send_from": display.moment(pacing.shown_time(verdict.not_before), display.staff_zone()),
        "why": verdict.reason,
    }
    return render(request, "inbox/call.html", context)


@require_http_methods(["GET", "POST"])
@staff_required
def read_back(request: StaffRequest, slug: str) -> HttpResponse:
    """The codename, for the operator to read out, until the caller has read it back."""
    programme = _programme(request, slug, {Role.INTAKE})
    browser = StaffBrowserSession(request)
    call = browser.call()
    if call is None:
        return redirect("inbox:call", slug=programme.slug)
    codename, reference = call
    form = ReadBackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if hotline.read_back_matches(codename, form.cleaned_data["heard"]):
            browser.end_call()
            case = Case.objects.filter(programme=programme, reference=reference).first()
            if case is not None:
                hotline.codename_read_back(case, user=request.user)
            messages.success(request, _("He has his codename. The call is recorded."))
            return redirect("cases:detail", reference=reference)
        form.add_error("heard", _("That is not his codename. Read it to him again, word by word."))
    context = {"programme": programme, "codename": codename, "form": form, "reference": reference}
    response = render(request, "inbox/read_back.html", context, status=400 if form.errors else 200)
    response["Cache-Control"] = "no-store"
    return response


# --- The inbox ---------------------------------------------------------------------------


@staff_required
def inbox(
    request: StaffRequest, slug: str, filled: dict[str, ReplyForm] | None = None
) -> HttpResponse:
    """The inbox; `filled` carries a reply box to show as it was (a template put in, or a
    reply refused)."""
    programme, roles = _answering(request, slug)
    keyring = session_keys.keyring(request, programme)
    if not keyring:
        return locked(request)
    rows = services.inbox(programme, roles, keyring=keyring, user=request.user, now=timezone.now())
    templates = services.templates_of(programme)
    filled = filled or {}
    shown = [
        (
            row,
            filled.get(row.case.reference) or ReplyForm(auto_id=f"id_{row.case.reference}_%s"),
            [t for t in templates if t.language == row.language],
        )
        for row in rows
    ]
    refused = any(form.errors for form in filled.values())
    context = {"programme": programme, "rows": shown}
    return render(request, "inbox/inbox.html", context, status=400 if refused else 200)


@require_POST
@staff_required
def reply(request: StaffRequest, slug: str, reference: str) -> HttpResponse:
    """One step: send the text; or, with a template chosen, put it in the box to edit."""
    programme, roles = _answering(request, slug)
    access = case_access(request, reference, roles)
    if access.case.programme_id != programme.pk:
        raise Http404
    auto_id = f"id_{reference}_%s"
    template_id = request.POST.get("insert", "")
    if template_id.isdigit():
        template = get_object_or_404(
            ReplyTemplate.objects.select_related("saved_by"),
            pk=int(template_id),
            programme=programme,
        )
        form = ReplyForm(initial={"text": template.text}, auto_id=auto_id)
        form.inserted_from = template  # the page names who wrote what he is about to send
        return inbox(request, slug, filled={reference: form})
    form = ReplyForm(request.POST, auto_id=auto_id)
    if not form.is_valid():
        return inbox(request, slug, filled={reference: form})
    try:
        casework.staff_message(
            access.case,
            user=request.user,
            keyring=access.keyring,
            text=form.cleaned_data["text"],
        )
    except dossier.CaseShredded as shredded:
        return show_refusal(request, shredded.reason, reverse("inbox:inbox", args=[slug]))
    messages.success(request, _("Reply sent to %(case)s.") % {"case": reference})
    return redirect("inbox:inbox", slug=slug)


# --- The admin's reply templates -----------------------------------------------------------


@require_http_methods(["GET", "POST"])
@staff_required
def templates(request: StaffRequest, slug: str, pk: int | None = None) -> HttpResponse:
    programme = _programme(request, slug, {Role.ADMIN})
    instance = (
        get_object_or_404(ReplyTemplate, pk=pk, programme=programme)
        if pk
        else ReplyTemplate(programme=programme)
    )
    form = TemplateForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        services.save_template(form.save(commit=False), user=request.user)
        return redirect("inbox:templates", slug=programme.slug)
    context = {
        "programme": programme,
        "form": form,
        "templates": services.templates_of(programme),
        "editing": instance.pk,
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "inbox/templates.html", context, status=status)
