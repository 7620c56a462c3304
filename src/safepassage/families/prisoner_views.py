"""The page on which the reception or after-care officer who sees a prisoner reads who asked
about him and records what he decided each may learn (issue #24). Thin: it validates and calls
families/decisions.py."""

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from safepassage.cases.pages import CaseAccess, case_view
from safepassage.families import decisions, letters
from safepassage.families.forms import RELATIONSHIPS, DecisionForm, LetterForm, ReviewForm
from safepassage.families.models import Decision, Letter
from safepassage.lib.acts import Refused, show_refusal
from safepassage.programmes.access import StaffRequest
from safepassage.programmes.roles import Role

WHO_SEE_HIM = frozenset({Role.RECEPTION, Role.AFTERCARE})


def _render(
    request: StaffRequest,
    access: CaseAccess,
    form: DecisionForm | LetterForm | ReviewForm | None = None,
    status: int = 200,
) -> HttpResponse:
    asking = decisions.relatives_asking(access.case, user=request.user, keyring=access.keyring)
    context = {
        "case": access.case,
        "asking": asking,
        "form": form,
        "kinds": Decision.Kind.choices,
        "statements": decisions.STATEMENTS,
        "relationships": RELATIONSHIPS,
        "letter_kinds": Letter.Kind.choices,
        "languages": settings.LANGUAGES,
    }
    return render(request, "families/relatives.html", context, status=status)


@case_view(WHO_SEE_HIM, method="GET")
def relatives(request: StaffRequest, access: CaseAccess) -> HttpResponse:
    return _render(request, access)


@case_view(WHO_SEE_HIM)
def decide(request: StaffRequest, access: CaseAccess) -> HttpResponse:
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _render(request, access, form, status=400)
    back = _back(access)
    try:
        decisions.record_decision(
            access.case,
            form.cleaned_data["match"],
            kind=form.cleaned_data["kind"],
            language=form.cleaned_data["language"],
            words=form.cleaned_data["words"],
            user=request.user,
            keyring=access.keyring,
        )
    except Refused as why:
        return show_refusal(request, why.reason, back)
    return redirect(back)


@case_view(WHO_SEE_HIM)
def write_letter(request: StaffRequest, access: CaseAccess) -> HttpResponse:
    form = LetterForm(request.POST)
    if not form.is_valid():
        return _render(request, access, form, status=400)
    try:
        letters.write_to_inquirer(
            access.case,
            form.cleaned_data["match"],
            kind=form.cleaned_data["kind"],
            text=form.cleaned_data["text"],
            user=request.user,
            keyring=access.keyring,
        )
    except Refused as why:
        return show_refusal(request, why.reason, _back(access))
    return redirect(_back(access))


@case_view(WHO_SEE_HIM)
def review_letter(request: StaffRequest, access: CaseAccess) -> HttpResponse:
    form = ReviewForm(request.POST)
    if not form.is_valid():
        return _render(request, access, form, status=400)
    try:
        letters.review(
            access.case,
            form.cleaned_data["letter"],
            passed=form.cleaned_data["verdict"] == "pass",
            reason=form.cleaned_data["reason"],
            user=request.user,
            keyring=access.keyring,
        )
    except Refused as why:
        return show_refusal(request, why.reason, _back(access))
    return redirect(_back(access))


def _back(access: CaseAccess) -> str:
    return reverse("families-relatives", args=[access.case.reference])
