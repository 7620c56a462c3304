"""Programme admins browse their programme's audit log."""

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render

from safepassage.audit.log import verify
from safepassage.audit.models import AuditEvent
from safepassage.programmes.access import StaffRequest, staff_required
from safepassage.programmes.services import programme_by_slug


@staff_required
def browse(request: StaffRequest, slug: str) -> HttpResponse:
    programme = programme_by_slug(slug)
    if programme is None or programme.pk not in request.scope.admin_programme_ids():
        raise Http404
    events = AuditEvent.objects.filter(programme_id_ref=programme.pk).order_by("-seq")
    page = Paginator(events, 100).get_page(request.GET.get("page"))
    return render(
        request,
        "audit/browse.html",
        {
            "programme": programme,
            "page": page,
            "problems": verify() if "verify" in request.GET else None,
        },
    )
