"""Applicant pages. Thin: parse the form, call a rule in cases.services, render.

Every response is `no-store` (middleware.NoStoreMiddleware); the only cookie is the session.
"""

import time
from contextlib import suppress
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.http import require_http_methods, require_POST

from safepassage import display
from safepassage.cases import services
from safepassage.cases.models import Case
from safepassage.cases.states import OPEN, State
from safepassage.cases.transitions import APPLICANT_ACTIONS, TransitionRefused
from safepassage.intake import throttle
from safepassage.intake.forms import ApplicationForm, CodenameForm, ReplyForm
from safepassage.passage import services as passage
from safepassage.programmes.services import all_programmes, programme_by_slug

CASE_KEY = "case-key"
RECEIPT_OF_FORM = "receipt"
# Once the crossing has started, cancelling is a matter for staff, not a button.
CANCELLABLE = set(OPEN) - {State.IN_TRANSIT}


def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "intake/home.html",
        {"programmes": all_programmes(), "left": "left" in request.GET},
    )


def safety(request: HttpRequest) -> HttpResponse:
    return render(request, "intake/safety.html")


@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest, slug: str) -> HttpResponse:
    programme = programme_by_slug(slug)
    if programme is None:
        raise Http404
    if request.method == "POST":
        form = ApplicationForm(request.POST)
        if form.is_valid():
            token = form.cleaned_data["token"]
            services.submit_application(
                programme,
                form.answers(),
                token=token,
                language=get_language() or settings.LANGUAGE_CODE,
                wants_to_apply=form.cleaned_data["intent"] == "apply",
                first_message=form.cleaned_data["message"],
            )
            # Post/redirect/get: Back and Reload never offer to send the form again, and the
            # language links of the codename page show it again (the receipt allows that).
            request.session.put_secret(RECEIPT_OF_FORM, token.encode())  # type: ignore[attr-defined]
            return redirect("intake:received", slug=programme.slug)
    else:
        form = ApplicationForm(initial={"token": services.new_submission_token()})
    return render(request, "intake/apply.html", {"form": form, "programme": programme})


def received(request: HttpRequest, slug: str) -> HttpResponse:
    """The codename, once the application is stored; for the receipt's lifetime only."""
    programme = programme_by_slug(slug)
    token = request.session.get_secret(RECEIPT_OF_FORM)  # type: ignore[attr-defined]
    if programme is None or token is None:
        return redirect("intake:home")
    receipt = services.receipt_for(token.decode())
    come_back = timezone.now() + timedelta(hours=settings.INTAKE_FIRST_ANSWER_HOURS)
    context = {
        "receipt": receipt,
        "programme": programme,
        "come_back": display.moment(come_back, display.applicant_zone()),
        "lead_hours": settings.PASSAGE_INSTRUCTION_LEAD_HOURS,
    }
    return render(request, "intake/codename.html", context)


@dataclass
class Applicant:
    case: Case
    data_key: bytes | None
    duress: bool

    @property
    def session(self) -> services.ApplicantSession:
        return services.ApplicantSession(self.case, self.data_key, self.duress)


def _applicant(request: HttpRequest) -> Applicant | None:
    """The signed-in applicant, or None; ends the session after 10 minutes idle."""
    case_id = request.session.get("applicant_case")
    if case_id is None:
        return None
    now = time.time()
    if now - request.session.get("applicant_seen", 0) > settings.APPLICANT_IDLE_SECONDS:
        request.session.flush()
        return None
    request.session["applicant_seen"] = now
    case = Case.objects.filter(pk=case_id).first()
    duress = bool(request.session.get("applicant_duress"))
    data_key = request.session.get_secret(CASE_KEY)  # type: ignore[attr-defined]
    # A case shredded meanwhile ends the session: nothing of it can be read any more.
    if case is None or case.shredded_at is not None or (data_key is None and not duress):
        request.session.flush()
        return None
    return Applicant(case, data_key, duress)


@require_http_methods(["GET", "POST"])
def enter(request: HttpRequest) -> HttpResponse:
    form = CodenameForm(request.POST or None)
    error = ""
    if request.method == "POST":
        if throttle.blocked(request):
            error = "throttled"
        elif form.is_valid():
            session = services.enter_with_codename(form.cleaned_data["codename"])
            if session is None:
                throttle.record_failure(request)
                error = "wrong"
            else:
                request.session.cycle_key()
                request.session["applicant_case"] = session.case.pk
                request.session["applicant_duress"] = session.duress
                request.session["applicant_seen"] = time.time()
                if session.data_key is not None:
                    request.session.put_secret(CASE_KEY, session.data_key)  # type: ignore[attr-defined]
                return redirect("intake:status")
    return render(request, "intake/enter.html", {"form": form, "error": error})


def _status_page(
    request: HttpRequest, applicant: Applicant, reply_form: ReplyForm, status: int = 200
) -> HttpResponse:
    if applicant.duress:
        return render(request, "intake/status_harmless.html")
    instructions = passage.instructions_for(applicant.case, timezone.now())
    context = {
        "case": applicant.case,
        "instructions": instructions,
        "confirmed": bool(instructions and instructions.crossing.applicant_confirmed_at),
        "messages": services.applicant_messages(applicant.session),
        "reply_form": reply_form,
        "can_cancel": applicant.case.state in CANCELLABLE,
    }
    return render(request, "intake/status.html", context, status=status)


def status(request: HttpRequest) -> HttpResponse:
    applicant = _applicant(request)
    if applicant is None:
        return redirect("intake:enter")
    return _status_page(request, applicant, ReplyForm())


@require_POST
def reply(request: HttpRequest) -> HttpResponse:
    applicant = _applicant(request)
    if applicant is None:
        return redirect("intake:enter")
    form = ReplyForm(request.POST)
    if applicant.duress or applicant.data_key is None:
        return redirect("intake:status")
    if not form.is_valid():
        return _status_page(request, applicant, form, status=400)
    services.applicant_reply(applicant.case, applicant.data_key, form.cleaned_data["text"])
    return redirect("intake:status")


@require_http_methods(["GET", "POST"])
def act(request: HttpRequest, action: str) -> HttpResponse:
    """Cancel, apply or say 'I am ready': a confirmation page, then the POST."""
    applicant = _applicant(request)
    if applicant is None:
        return redirect("intake:enter")
    if action not in APPLICANT_ACTIONS or applicant.duress:
        raise Http404
    if request.method == "POST":
        # If the state moved on meanwhile, the status page shows the state as it is.
        with suppress(TransitionRefused):
            services.applicant_action(applicant.case, action)
        return redirect("intake:status")
    return render(request, "intake/confirm.html", {"action": action, "case": applicant.case})


@require_POST
def confirm_crossing(request: HttpRequest) -> HttpResponse:
    applicant = _applicant(request)
    if applicant is None:
        return redirect("intake:enter")
    if not applicant.duress:
        passage.applicant_confirms(applicant.case, timezone.now())
    return redirect("intake:status")


@require_POST
def duress(request: HttpRequest) -> HttpResponse:
    applicant = _applicant(request)
    if applicant is None:
        return redirect("intake:enter")
    if applicant.duress:
        return redirect("intake:status")
    codename = services.create_duress_codename(
        applicant.case, get_language() or settings.LANGUAGE_CODE
    )
    return render(request, "intake/duress_codename.html", {"codename": codename})


@require_POST
def leave(request: HttpRequest) -> HttpResponse:
    request.session.flush()
    return redirect(reverse("intake:home") + "?left=1")
