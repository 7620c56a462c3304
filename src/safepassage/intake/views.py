"""Applicant pages. Thin: parse the form, call the applicant API (intake/applicants.py, the
same one every channel uses), render.

Every response is `no-store` (middleware.NoStoreMiddleware); the only cookie is the session.
"""

from datetime import timedelta

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.http import require_http_methods, require_POST

from safepassage.cases import pacing, submission
from safepassage.cases.transitions import APPLICANT_ACTIONS
from safepassage.intake import applicants, flood, sessions, throttle
from safepassage.intake.forms import ApplicationForm, CodenameForm, ReplyForm
from safepassage.intake.sessions import ApplicantSession
from safepassage.lib import display
from safepassage.lib import rights as lib_rights
from safepassage.outreach import attribution
from safepassage.programmes.models import Programme
from safepassage.programmes.services import all_programmes, programme_by_slug


def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "intake/home.html",
        {"programmes": all_programmes(), "left": "left" in request.GET},
    )


def safety(request: HttpRequest) -> HttpResponse:
    return render(request, "intake/safety.html")


def rights(request: HttpRequest) -> HttpResponse:
    """«Your rights and the risks»: one public page, the same for everyone who opens it."""
    context = {
        "sections": lib_rights.SECTIONS,
        "sources": lib_rights.SOURCES,
        "version": lib_rights.version_label(),
    }
    return render(request, "intake/rights.html", context)


@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest, slug: str) -> HttpResponse:
    programme = programme_by_slug(slug)
    if programme is None:
        raise Http404
    if request.method == "GET":
        form = ApplicationForm(initial={"token": pacing.issue(programme)})
        return render(request, "intake/apply.html", {"form": form, "programme": programme})
    session = ApplicantSession(request)
    if not flood.session_may_apply(session):
        return render(request, "intake/too_many.html", {"programme": programme}, status=429)
    form = ApplicationForm(request.POST)
    if not form.is_valid():
        return render(request, "intake/apply.html", {"form": form, "programme": programme})
    verdict = pacing.admit(form.cleaned_data["token"], programme)
    if not verdict.admitted:
        return _send_again(request, programme, verdict)
    token = form.cleaned_data["token"]
    had_row = session.has_row()

    def keep_receipt() -> None:
        # Post/redirect/get: Back and Reload never offer to send the form again, and the
        # codename page (and its language links) shows it again from the receipt.
        session.keep_receipt(token)
        session.forget_campaign()  # counted once, with this application
        flood.note_application(session)
        if had_row:
            session.save_now()  # with the application, in its transaction

    receipt = submission.submit_application(
        programme,
        form.answers(),
        token=token,
        language=get_language() or settings.LANGUAGE_CODE,
        wants_to_apply=form.cleaned_data["intent"] == "apply",
        first_message=form.cleaned_data["message"],
        also=keep_receipt,
        binding=session.receipt_binding(),
        campaign_id=_campaign(session, programme),
    )
    if not receipt.created:  # the same form again: its receipt, kept as usual
        session.keep_receipt(token)
    return redirect("intake:received", slug=programme.slug)


def _send_again(
    request: HttpRequest, programme: Programme, verdict: pacing.Verdict
) -> HttpResponse:
    """His form again, every answer kept, with the ticket to send it with and from when."""
    data = request.POST.copy()
    data["token"] = verdict.ticket
    form = ApplicationForm(data)
    form.is_valid()
    assert verdict.not_before is not None
    context = {
        "form": form,
        "programme": programme,
        "send_from": display.moment(
            pacing.shown_time(verdict.not_before), display.applicant_zone()
        ),
        "why": verdict.reason,
    }
    return render(request, "intake/apply.html", context)


def _campaign(session: ApplicantSession, programme: Programme) -> int | None:
    """The campaign whose link brought this browser session here (outreach), if it is this
    programme's: kept in the session only until the application."""
    campaign = attribution.campaign_for(session.campaign_code(), programme)
    return campaign.pk if campaign else None


def received(request: HttpRequest, slug: str) -> HttpResponse:
    """The codename, once the application is stored; for the receipt's lifetime only."""
    programme = programme_by_slug(slug)
    session = ApplicantSession(request)
    token = session.receipt_token()
    if programme is None or token is None:
        return redirect("intake:home")
    receipt = submission.receipt_for(token, programme, binding=session.receipt_binding())
    come_back = timezone.now() + timedelta(hours=settings.INTAKE_FIRST_ANSWER_HOURS)
    context = {
        "receipt": receipt,
        "programme": programme,
        "come_back": display.moment(come_back, display.applicant_zone()),
        "lead_hours": settings.PASSAGE_INSTRUCTION_LEAD_HOURS,
    }
    return render(request, "intake/codename.html", context)


@require_http_methods(["GET", "POST"])
def enter(request: HttpRequest) -> HttpResponse:
    form = CodenameForm(request.POST or None)
    error, wait = "", 0
    session = ApplicantSession(request)
    if request.method == "POST" and form.is_valid():
        # Checked first, even during a wait: a right codename always gets in (throttle.py).
        applicant = applicants.enter(form.cleaned_data["codename"])
        if applicant is not None:
            throttle.forget(session)
            session.start_over()
            session.mark_seen()
            session.keep(applicant)
            return redirect("intake:status")
        waiting = throttle.seconds_to_wait(session)
        wait = throttle.record_failure(session)
        error = "wait" if waiting else "wrong"
    if error:
        # A codename, even a wrong one, is never written back into the page: it may be one
        # letter off the real one, and the page can be seen over his shoulder.
        form = CodenameForm()
    context = {"form": form, "error": error, "wait": wait}
    return render(request, "intake/enter.html", context)


def _status_page(
    request: HttpRequest,
    applicant: applicants.Applicant,
    reply_form: ReplyForm,
    status: int = 200,
) -> HttpResponse:
    page = applicants.status(applicant, timezone.now())
    if page is None:
        ApplicantSession(request).end()
        return redirect("intake:enter")
    context = {
        "state": page.state,
        "programme": page.programme,
        "instructions": page.instructions,
        "confirmed": page.confirmed,
        "on_hold": page.on_hold,
        "come_back_at": page.come_back_at,
        "messages": page.messages,
        "reply_form": reply_form,
        "can_cancel": "cancel" in page.actions,
    }
    return render(request, "intake/status.html", context, status=status)


@sessions.applicant_required
def status(request: HttpRequest, applicant: applicants.Applicant) -> HttpResponse:
    return _status_page(request, applicant, ReplyForm())


@require_POST
@sessions.applicant_required
def reply(request: HttpRequest, applicant: applicants.Applicant) -> HttpResponse:
    form = ReplyForm(request.POST)
    if not form.is_valid():
        return _status_page(request, applicant, form, status=400)
    applicants.reply(applicant, form.cleaned_data["text"])
    return redirect("intake:status")


# The address each of his actions has: words, never the table's codes (which an address bar
# shows: «/my/request_other_time/»).
ACTION_PATHS = {
    "cancel": "cancel",
    "apply": "apply",
    "reactivate": "ready",
    "request_other_time": "another-time",
}
ACTIONS_BY_PATH = {path: action for action, path in ACTION_PATHS.items()}


@require_http_methods(["GET", "POST"])
@sessions.applicant_required
def act(request: HttpRequest, applicant: applicants.Applicant, path: str) -> HttpResponse:
    """Cancel, apply, ask for another time or say 'I am ready': a confirmation page, then
    the POST."""
    action = ACTIONS_BY_PATH.get(path, "")
    if action not in APPLICANT_ACTIONS:
        raise Http404
    if request.method == "POST":
        # If refused (the state moved on meanwhile), the status page shows the state as it is.
        applicants.act(applicant, action)
        return redirect("intake:status")
    return render(request, "intake/confirm.html", {"action": action})


@require_POST
@sessions.applicant_required
def confirm_crossing(request: HttpRequest, applicant: applicants.Applicant) -> HttpResponse:
    applicants.confirm_crossing(applicant, timezone.now())
    return redirect("intake:status")


@require_POST
@sessions.applicant_required
def duress(request: HttpRequest, applicant: applicants.Applicant) -> HttpResponse:
    codename = applicants.new_duress_codename(applicant, get_language() or settings.LANGUAGE_CODE)
    if codename is None:
        return redirect("intake:status")
    return render(request, "intake/duress_codename.html", {"codename": codename})


@require_POST
def leave(request: HttpRequest) -> HttpResponse:
    ApplicantSession(request).end()
    return redirect(reverse("intake:home") + "?left=1")


def campaign_link(request: HttpRequest, code: str) -> HttpResponse:
    """`/<lang>/r/<code>/`, the address on a leaflet's QR code: the code goes into the
    applicant's session (nothing else is noted), and he is taken to the form. The answer is
    the same whether the code exists or not, so nobody can try codes to learn the
    programme's campaigns (issue #22, point 13): the lookup runs either way, the session is
    written either way, and the address he is sent to depends only on how many programmes
    the site serves (one: its form; several: the start page, where he picks his)."""
    campaign = attribution.campaign_for(code)
    ApplicantSession(request).set_campaign_code(campaign.code if campaign else "")
    programmes = list(Programme.objects.order_by("pk").values_list("slug", flat=True)[:2])
    if len(programmes) == 1:
        return redirect("intake:apply", slug=programmes[0])
    return redirect("intake:home")
