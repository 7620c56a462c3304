"""The reception desk: tonight's expected arrivals (passage) beside the prisoners held, the
search, the printable sheet and the bureau export (reception). A dashboard page, since it
brings both apps together. Thin: check the role, call the services, render."""

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from safepassage.lib import display
from safepassage.passage import planning as passage
from safepassage.passage import plans
from safepassage.programmes import session_keys
from safepassage.programmes.access import StaffRequest, staff_required
from safepassage.programmes.models import Programme
from safepassage.programmes.roles import Role
from safepassage.programmes.services import programme_by_slug
from safepassage.reception import bureau, export, services
from safepassage.reception.forms import ExportForm, FindForm
from safepassage.reception.models import BureauExport, Prisoner


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
        "dashboard/desk.html",
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
        session_keys.keyring(request, programme),
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
    keyring = session_keys.keyring(request, programme)
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
