"""The tracing officer's pages (issue #24): the programme's inquiries, opened in his session
with the families key. He sees inquiries and, later, an inquiry's candidates; never the
prisoner register, never a case page (his role opens no case: programmes/roles.py)."""

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from safepassage.families import tracing
from safepassage.programmes import session_keys
from safepassage.programmes.access import StaffRequest, staff_required
from safepassage.programmes.roles import Role
from safepassage.programmes.services import programme_by_slug


@require_http_methods(["GET"])
@staff_required
def inquiries(request: StaffRequest, slug: str) -> HttpResponse:
    programme = programme_by_slug(slug)
    if programme is None or Role.TRACING not in request.scope.roles_in(programme.pk):
        raise Http404
    keyring = session_keys.keyring(request, programme)
    if "families" not in keyring:
        return redirect("staff:login")
    shown = tracing.latest_inquiries(programme, user=request.user, key=keyring["families"])
    return render(request, "families/inquiries.html", {"programme": programme, "shown": shown})
