"""Staff pages of after-care: one page per person (consents, equipment, claims) and one per
programme (reward schedule, totals, claims waiting, the ledger). Thin: check the role, call
aftercare.consents and rewards, render."""

from typing import Any

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from safepassage.aftercare import consents, rewards, statements
from safepassage.aftercare import exchange_lists as exchange
from safepassage.aftercare.forms import (
    ClaimForm,
    ConsentForm,
    EquipmentForm,
    ExchangeListForm,
    PaymentForm,
    RateForm,
    WithdrawForm,
)
from safepassage.aftercare.models import Consent, ExchangeList
from safepassage.cases.pages import CaseAccess, case_view
from safepassage.lib import rights as lib_rights
from safepassage.lib.acts import Refused, second_step, show_refusal
from safepassage.programmes import session_keys
from safepassage.programmes.access import StaffRequest, staff_required
from safepassage.programmes.models import Programme
from safepassage.programmes.roles import Role
from safepassage.programmes.services import programme_by_slug

AFTERCARE = frozenset({Role.AFTERCARE})
aftercare_get = case_view(AFTERCARE, method="GET")
aftercare_post = case_view(AFTERCARE)


def _rights_before_a_pathway() -> list[dict[str, Any]]:
    """What he reads before a path (lib/rights.py), in Russian and in English, as the
    statements are shown; the public page has every language."""
    shown = []
    for language in ("ru", "en"):
        sections = lib_rights.read_in(language, lib_rights.BEFORE_A_PATHWAY)
        with translation.override(language):
            shown.append(
                {
                    "language": language,
                    "prefix": f"rights-{language}",
                    "title": _("Your rights and the risks"),
                    "version": lib_rights.version_label(),
                    "sections": sections,
                }
            )
    return shown


def _render(
    request: StaffRequest, access: CaseAccess, status: int = 200, **extra: Any
) -> HttpResponse:
    user, key = request.user, access.keyring
    context = {
        "case": access.case,
        "consents": consents.consents_of(access.case, user=user, keyring=key),
        "claims": rewards.claims_of(access.case, user=user, keyring=key),
        "statements": [
            (label, statements.statement(kind, "ru"), statements.statement(kind, "en"))
            for kind, label in Consent.Kind.choices
        ],
        "rights_before_a_pathway": _rights_before_a_pathway(),
        "consent_form": ConsentForm(),
        "equipment_form": EquipmentForm(),
        "error": "",
        **extra,
    }
    return render(request, "aftercare/person.html", context, status=status)


@aftercare_get
def person(request: StaffRequest, access: CaseAccess) -> HttpResponse:
    return _render(request, access)


def _page_url(access: CaseAccess) -> str:
    return reverse("aftercare:person", args=[access.case.reference])


def _back(access: CaseAccess) -> HttpResponse:
    return redirect("aftercare:person", reference=access.case.reference)


@aftercare_post
def consent(request: StaffRequest, access: CaseAccess) -> HttpResponse:
    form = ConsentForm(request.POST)
    if not form.is_valid():
        return _render(request, access, status=400, consent_form=form)
    try:
        consents.record_consent(
            access.case,
            form.cleaned_data["kind"],
            language=form.cleaned_data["language"],
            user=request.user,
            keyring=access.keyring,
        )
    except Refused as why:
        return _render(request, access, status=409, consent_form=form, error=why.reason)
    return _back(access)


@aftercare_post
def withdraw(request: StaffRequest, access: CaseAccess) -> HttpResponse:
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        raise Http404
    step = second_step(
        request,
        title=_("Withdraw this consent?"),
        consequence=_("The consent ends now. A new one can be recorded later if he gives it."),
        back=reverse("aftercare:person", args=[access.case.reference]),
    )
    if step is not None:
        return step
    try:
        consents.withdraw_consent(
            access.case,
            form.cleaned_data["consent"],
            user=request.user,
        )
    except Refused as why:
        return show_refusal(request, why.reason, _page_url(access))
    return _back(access)


@aftercare_post
def equipment(request: StaffRequest, access: CaseAccess) -> HttpResponse:
    form = EquipmentForm(request.POST)
    if not form.is_valid():
        return _render(request, access, status=400, equipment_form=form)
    try:
        rewards.record_equipment(
            access.case,
            **form.cleaned_data,
            user=request.user,
            keyring=access.keyring,
        )
    except Refused as why:
        return _render(request, access, status=409, equipment_form=form, error=why.reason)
    return _back(access)


@aftercare_post
def claim(request: StaffRequest, access: CaseAccess) -> HttpResponse:
    form = ClaimForm(request.POST)
    if not form.is_valid():
        raise Http404
    step = rewards.verify_claim if form.cleaned_data["step"] == "verify" else rewards.approve_claim
    try:
        step(access.case, form.cleaned_data["claim"], user=request.user)
    except Refused as why:
        return show_refusal(request, why.reason, _page_url(access))
    return _back(access)


@aftercare_post
def payment(request: StaffRequest, access: CaseAccess) -> HttpResponse:
    form = PaymentForm(request.POST)
    if not form.is_valid():
        return _render(request, access, status=400, error=_first_error(form))
    step = second_step(
        request,
        title=_("Record the payment?"),
        consequence=_("The ledger cannot be changed afterwards."),
        back=reverse("aftercare:person", args=[access.case.reference]),
    )
    if step is not None:
        return step
    try:
        rewards.record_payment(
            access.case,
            form.cleaned_data["claim"],
            reference=form.cleaned_data["reference"],
            user=request.user,
            keyring=access.keyring,
        )
    except Refused as why:
        return show_refusal(request, why.reason, _page_url(access))
    return _back(access)


def _first_error(form: PaymentForm) -> str:
    return str(next(iter(form.errors.values()))[0])


# --- The programme's rewards page -------------------------------------------------------------


def _rewards_programme(request: StaffRequest, slug: str) -> tuple[Programme, frozenset[Role]]:
    """The programme and this person's roles in it: admins edit the schedule, after-care
    officers open the cases."""
    programme = programme_by_slug(slug)
    roles = request.scope.roles_in(programme.pk) if programme else frozenset()
    if programme is None or not {Role.ADMIN, Role.AFTERCARE} & roles:
        raise Http404
    return programme, roles


@require_http_methods(["GET", "POST"])
@staff_required
def reward_schedule(request: StaffRequest, slug: str) -> HttpResponse:
    programme, roles = _rewards_programme(request, slug)
    can_edit = Role.ADMIN in roles
    rates = rewards.schedule_for(programme)
    forms = [RateForm(prefix=r.category, instance=r) for r in rates]
    status = 200
    if request.method == "POST":
        if not can_edit:
            raise Http404
        forms = [RateForm(request.POST, prefix=r.category, instance=r) for r in rates]
        if all(f.is_valid() for f in forms):
            changed = {
                form.instance.category: (form.cleaned_data["amount"], form.cleaned_data["currency"])
                for form in forms
                if form.has_changed()
            }
            rewards.set_rates(programme, changed, user=request.user)
            return redirect("aftercare:rewards", slug=slug)
        status = 400
    return render(
        request,
        "aftercare/rewards.html",
        {
            "programme": programme,
            "can_edit": can_edit,
            "opens_cases": Role.AFTERCARE in roles,
            "rates": list(zip(rates, forms, strict=True)),
            "totals": rewards.totals(programme),
            "waiting": rewards.claims_waiting(programme),
            "ledger": rewards.ledger(programme),
        },
        status=status,
    )


def _exchange_programme(request: StaffRequest, slug: str) -> Programme:
    """Reception and after-care produce the lists: both hold the custody key."""
    programme = programme_by_slug(slug)
    roles = request.scope.roles_in(programme.pk) if programme else frozenset()
    if programme is None or not {Role.RECEPTION, Role.AFTERCARE} & roles:
        raise Http404
    return programme


@require_http_methods(["GET", "POST"])
@staff_required
def exchange_lists(request: StaffRequest, slug: str) -> HttpResponse:
    programme = _exchange_programme(request, slug)
    form = ExchangeListForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        keyring = session_keys.keyring(request, programme)
        if not keyring:
            return redirect("staff:login")
        fmt, now = form.cleaned_data["format"], timezone.now()
        rows = exchange.exchange_list(
            programme,
            only_new=form.cleaned_data["only_new"],
            fmt=fmt,
            user=request.user,
            keyring=keyring,
            now=now,
        )
        stamp = now.strftime("%Y%m%dT%H%M%SZ")
        if fmt == "csv":
            # With a byte-order mark: spreadsheet programs then read the Cyrillic as UTF-8.
            body: str | bytes = "\ufeff" + exchange.as_csv(rows)
            content_type = "text/csv; charset=utf-8"
        else:
            body = exchange.as_pdf(rows, now, get_language() or "ru")
            content_type = "application/pdf"
        response = HttpResponse(body, content_type=content_type)
        response["Content-Disposition"] = (
            f'attachment; filename="exchange-{programme.slug}-{stamp}.{fmt}"'
        )
        return response
    context = {
        "programme": programme,
        "form": form,
        "last": [
            found
            for fmt in ExchangeList.Format.values
            if (found := exchange.last_list(programme, fmt)) is not None
        ],
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "aftercare/exchange_lists.html", context, status=status)
