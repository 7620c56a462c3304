"""A relative's call, taken by an intake operator on the hotline (issue #24): the inquiry form
he fills in as the caller speaks, through the same inquirer API as the web and the bot, and
the inquiry codename to read out until the caller reads it back. Nothing asks for or stores
the caller's number. The operator reads no inquiry afterwards: his role opens none."""

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from safepassage.cases import pacing
from safepassage.families import flood, inquirers
from safepassage.families.flood import INQUIRIES
from safepassage.families.forms import InquiryForm
from safepassage.lib import display
from safepassage.lib.acts import Refused
from safepassage.lib.textinput import TextField
from safepassage.programmes.access import StaffRequest, staff_required
from safepassage.programmes.models import Programme
from safepassage.programmes.roles import Role
from safepassage.programmes.services import programme_by_slug
from safepassage.programmes.sessions import StaffBrowserSession


class ReadBackForm(forms.Form):
    heard = TextField(label=gettext_lazy("The codename as he read it back"), max_length=200)


def _operator_of(request: StaffRequest, slug: str) -> Programme:
    programme = programme_by_slug(slug)
    if programme is None or Role.INTAKE not in request.scope.roles_in(programme.pk):
        raise Http404
    return programme


@require_http_methods(["GET", "POST"])
@staff_required
def call(request: StaffRequest, slug: str) -> HttpResponse:
    programme = _operator_of(request, slug)
    initial = {"language": get_language(), "token": pacing.issue(programme, stream=INQUIRIES)}
    form = InquiryForm(request.POST or None, initial=initial)
    error = ""
    if request.method == "POST" and form.is_valid():
        token = form.cleaned_data["token"]
        verdict = pacing.admit(token, programme, stream=INQUIRIES)
        if not verdict.admitted:  # the same schedule as any inquiry (families/flood.py)
            return _record_again(request, programme, verdict)
        try:
            receipt = inquirers.submit_inquiry(
                programme,
                form.inquirer(),
                form.sought(),
                language=form.cleaned_data["language"],
                taken_by=request.user,
                ticket_hash=flood.ticket_hash(token),
            )
        except Refused as why:
            error = why.reason
        else:
            StaffBrowserSession(request).take_relative_call(receipt.codename)
            return redirect("families-call-read-back", slug=programme.slug)
    status = 400 if request.method == "POST" else 200
    context = {"programme": programme, "form": form, "error": error}
    return render(request, "families/call.html", context, status=status)


def _record_again(
    request: StaffRequest, programme: Programme, verdict: pacing.Verdict
) -> HttpResponse:
    assert verdict.not_before is not None
    shown = pacing.shown_time(verdict.not_before)
    context = {
        "programme": programme,
        "form": InquiryForm.sent_again(request.POST, verdict.ticket),
        "error": "",
        "send_from": display.moment(shown, display.staff_zone()),
        "why": verdict.reason,
    }
    return render(request, "families/call.html", context)


@require_http_methods(["GET", "POST"])
@staff_required
def read_back(request: StaffRequest, slug: str) -> HttpResponse:
    programme = _operator_of(request, slug)
    browser = StaffBrowserSession(request)
    codename = browser.relative_call()
    if codename is None:
        return redirect("families-call", slug=programme.slug)
    form = ReadBackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if inquirers.read_back_matches(codename, form.cleaned_data["heard"]):
            browser.end_relative_call()
            messages.success(request, _("The caller has his inquiry's codename."))
            return redirect("families-call", slug=programme.slug)
        form.add_error("heard", _("That is not his codename. Read it to him again, word by word."))
    answer_by = inquirers.answer_by(timezone.now())
    context = {"programme": programme, "codename": codename, "form": form, "answer_by": answer_by}
    response = render(
        request, "families/call_read_back.html", context, status=400 if form.errors else 200
    )
    response["Cache-Control"] = "no-store"
    return response
