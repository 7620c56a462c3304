"""The inquirer's pages on the applicant host (no JavaScript): ask, the receipt with the
codename shown once, coming back with it, and the answer. Thin: each validates and calls the
inquirer API (inquirers.py); the session is InquirerSession's."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from safepassage.cases import pacing
from safepassage.families import cards, flood, inquirers, letters
from safepassage.families.flood import INQUIRIES
from safepassage.families.forms import CodenameForm, InquirerLetterForm, InquiryForm
from safepassage.families.models import Letter
from safepassage.families.sessions import InquirerSession
from safepassage.lib import backoff, display
from safepassage.lib.acts import Refused
from safepassage.programmes.models import Programme
from safepassage.programmes.services import programme_by_slug


@require_http_methods(["GET", "POST"])
def ask(request: HttpRequest, slug: str) -> HttpResponse:
    programme = programme_by_slug(slug)
    if programme is None:
        raise Http404
    initial = {"language": get_language(), "token": pacing.issue(programme, stream=INQUIRIES)}
    form = InquiryForm(request.POST or None, initial=initial)
    context: dict[str, object] = {"programme": programme, "form": form, "error": ""}
    session = InquirerSession(request)
    if request.method == "POST" and form.is_valid() and not inquirers.session_may_ask(session):
        context["error"] = _(
            "This browser has sent several inquiries in the last hour. Wait an hour."
        )
    elif request.method == "POST" and form.is_valid():
        token = form.cleaned_data["token"]
        verdict = pacing.admit(token, programme, stream=INQUIRIES)
        if not verdict.admitted:
            return _send_again(request, programme, verdict)
        try:
            receipt = inquirers.submit_inquiry(
                programme,
                form.inquirer(),
                form.sought(),
                language=form.cleaned_data["language"],
                ticket_hash=flood.ticket_hash(token),
            )
        except Refused as why:
            context["error"] = why.reason
        else:
            inquirers.note_inquiry(session)
            session.keep_receipt(receipt)
            return redirect("families:received", slug=programme.slug)
    status = 400 if request.method == "POST" else 200
    return render(request, "families/ask.html", context, status=status)


def _send_again(
    request: HttpRequest, programme: Programme, verdict: pacing.Verdict
) -> HttpResponse:
    """His form again, every answer kept, with the ticket to send it with and from when."""
    assert verdict.not_before is not None
    shown = pacing.shown_time(verdict.not_before)
    context = {
        "programme": programme,
        "form": InquiryForm.sent_again(request.POST, verdict.ticket),
        "error": "",
        "send_from": display.moment(shown, display.applicant_zone()),
        "why": verdict.reason,
    }
    return render(request, "families/ask.html", context)


def received(request: HttpRequest, slug: str) -> HttpResponse:
    """The same page for every inquiry received in one period, but for its codename."""
    receipt = InquirerSession(request).take_receipt()
    if receipt is None:
        return redirect("families:enter")
    context = {"codename": receipt.codename, "answer_by": receipt.answer_by}
    return render(request, "families/received.html", context)


@require_http_methods(["GET", "POST"])
def enter(request: HttpRequest) -> HttpResponse:
    form = CodenameForm(request.POST or None)
    session = InquirerSession(request)
    wrong, wait = False, 0
    if request.method == "POST" and form.is_valid():
        # Checked first, even during a wait: the right codename always gets in.
        inquiry = inquirers.find(form.cleaned_data["codename"])
        if inquiry is not None:
            session.forget_wrong_codenames()
            session.sign_in(inquiry.pk, inquirers.own_key(inquiry, form.cleaned_data["codename"]))
            return redirect("families:answer")
        waiting = backoff.session_wait(session)
        wait = backoff.session_failure(session)
        wrong = not waiting
        # Never written back: a wrong codename may be one letter off the real one.
        form = CodenameForm()
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "wrong": wrong, "wait": wait}
    return render(request, "families/enter.html", context, status=status)


def answer(request: HttpRequest, form: InquirerLetterForm | None = None) -> HttpResponse:
    session = InquirerSession(request)
    inquiry = inquirers.signed_in(session.inquiry_id)
    if inquiry is None:
        return redirect("families:enter")
    context = {
        "answers": inquirers.answer_of(inquiry),
        # Not his receipt's day, which passes: the next release, the same for everyone.
        "answer_by": inquirers.next_release_day(timezone.now()),
        # Both empty, so the page is the default's bytes, until he allowed letters.
        "letters": letters.inbox_of(inquiry, session.own_key),
        "write_to": inquiry.letters_open,
        "letter_form": form or InquirerLetterForm(),
    }
    return render(request, "families/answer.html", context, status=400 if form else 200)


@require_http_methods(["POST"])
def write(request: HttpRequest) -> HttpResponse:
    session = InquirerSession(request)
    inquiry = inquirers.signed_in(session.inquiry_id)
    if inquiry is None:
        return redirect("families:enter")
    form = InquirerLetterForm(request.POST)
    if not form.is_valid():
        return answer(request, form)
    try:
        letters.write_from_inquirer(
            inquiry, form.cleaned_data["number"], text=form.cleaned_data["text"]
        )
    except Refused as why:
        form.add_error(None, why.reason)
        return answer(request, form)
    return redirect("families:answer")


def card(request: HttpRequest, letter_id: int) -> HttpResponse:
    """A card to him, as the PDF after the Annex IV C model."""
    session = InquirerSession(request)
    inquiry = inquirers.signed_in(session.inquiry_id)
    if inquiry is None:
        return redirect("families:enter")
    shown = {one.letter.pk: one for one in letters.inbox_of(inquiry, session.own_key)}
    found = shown.get(letter_id)
    if found is None or not found.to_inquirer or found.letter.kind != Letter.Kind.CARD:
        raise Http404
    dated = display.calendar_day(found.letter.written_at, display.applicant_zone())
    pdf = cards.render(found.body, dated, get_language() or "ru")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="card.pdf"'
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["POST"])
def leave(request: HttpRequest) -> HttpResponse:
    InquirerSession(request).sign_out()
    return redirect("families:enter")
