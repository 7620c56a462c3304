"""Staff pages of the reception desk. Thin: check the role, call reception.services, render."""

from datetime import date

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from safepassage.cases import dossier
from safepassage.cases.views import CaseAccess, case_view
from safepassage.lib import display
from safepassage.lib.acts import Refused, second_step, show_refusal
from safepassage.passage import plans
from safepassage.passage import services as passage
from safepassage.programmes import keys
from safepassage.programmes.access import StaffRequest, staff_required
from safepassage.programmes.models import Programme
from safepassage.programmes.roles import Role
from safepassage.programmes.services import programme_by_slug
from safepassage.reception import bureau, export, services
from safepassage.reception.forms import EventForm, ExportForm, FindForm, RegistrationForm
from safepassage.reception.models import BureauExport, Prisoner

RECEPTION = frozenset({Role.RECEPTION})
reception_get = case_view(RECEPTION, method="GET")
reception_post = case_view(RECEPTION)


def _initial(access: CaseAccess, view: services.PrisonerView | None) -> dict:
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


def _desk_programme(request: StaffRequest, slug: str) -> Programme:
    programme = programme_by_slug(slug)
    if programme is None or Role.RECEPTION not in request.scope.roles_in(programme.pk):
        raise Http404
    return programme


def _render_desk(
    request: StaffRequest,
    programme: Programme,
    form: ExportForm,
    status: int = 200,
    find: FindForm | None = None,
    found: list[Prisoner] | None = None,
) -> HttpResponse:
    now = timezone.now()
    overdue = set(services.overdue_cards([programme.pk], now).values_list("pk", flat=True))
    rows = [
        (p, services.card_due(p.captured_at), p.pk in overdue)
        for p in services.desk(programme)[:500]
    ]
    return render(
        request,
        "reception/desk.html",
        {
            "programme": programme,
            "rows": rows,
            "overdue": len(overdue),
            "expected": passage.expected_arrivals([programme.pk], plans.keys_of(request), now),
            "last_exports": [
                last
                for fmt in BureauExport.Format.values
                if (last := bureau.last_export(programme, fmt)) is not None
            ],
            "form": form,
            "find_form": find or FindForm(auto_id="id_find_%s"),
            "found": found,
            "zone": settings.RECEPTION_ZONE,
        },
        status=status,
    )


@staff_required
def desk_sheet(request: StaffRequest, slug: str) -> HttpResponse:
    """The desk as a printable PDF: tonight's expected arrivals and the prisoners held."""
    programme = _desk_programme(request, slug)
    now = timezone.now()
    expected = passage.expected_arrivals([programme.pk], plans.keys_of(request), now)
    arrivals = [(e.window_start, e.window_end, e.sector, e.head_count) for e in expected]
    pdf = services.desk_sheet(programme, arrivals, user=request.user, now=now)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="reception-desk.pdf"'
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "POST"])
@staff_required
def desk(request: StaffRequest, slug: str) -> HttpResponse:
    """The desk; after a search, who matches it. The search is a POST: a name or a service
    number never stands in an address, a history or a log."""
    programme = _desk_programme(request, slug)
    if request.method != "POST":
        return _render_desk(request, programme, ExportForm())
    find = FindForm(request.POST, auto_id="id_find_%s")
    if not find.is_valid():
        return _render_desk(request, programme, ExportForm(), status=400, find=find)
    born = find.cleaned_data["born"]
    found = services.find(
        programme,
        keys.keyring(request, programme),
        user=request.user,
        service_number=find.cleaned_data["service_number"],
        surname=find.cleaned_data["surname"],
        first_names=find.cleaned_data["first_names"],
        born=born.isoformat() if born else "",
    )
    return _render_desk(request, programme, ExportForm(), find=find, found=found)


@require_POST
@staff_required
def bureau_export(request: StaffRequest, slug: str) -> HttpResponse:
    programme = _desk_programme(request, slug)
    form = ExportForm(request.POST)
    if not form.is_valid():
        return _render_desk(request, programme, form, status=400)
    keyring = keys.keyring(request, programme)
    if not keyring:
        return redirect("staff:login")
    fmt = form.cleaned_data["format"]
    previous = bureau.last_export(programme, fmt)
    doc = bureau.bureau_export(
        programme,
        only_new=form.cleaned_data["only_new"],
        fmt=fmt,
        user=request.user,
        keyring=keyring,
    )
    if not doc["prisoners"]:
        if form.cleaned_data["only_new"] and previous is not None:
            nothing = _("Nothing new or changed since the last %(format)s export, %(when)s.") % {
                "format": previous.get_format_display(),
                "when": display.moment(previous.exported_at, display.staff_zone()),
            }
        else:
            nothing = _("Nobody is registered yet: there is nothing to export.")
        messages.info(request, nothing)
        return redirect("reception:desk", slug=programme.slug)
    # CSV with a byte-order mark: spreadsheet programs then read the Cyrillic as UTF-8.
    body = "\ufeff" + export.as_csv(doc) if fmt == "csv" else export.as_json(doc)
    content_type = "text/csv" if fmt == "csv" else "application/json"
    response = HttpResponse(body, content_type=f"{content_type}; charset=utf-8")
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    response["Content-Disposition"] = (
        f'attachment; filename="bureau-{programme.slug}-{stamp}.{fmt}"'
    )
    return response
