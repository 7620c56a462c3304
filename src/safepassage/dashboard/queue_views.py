"""The queue of a programme's cases for the person's roles, with what needs attention beside
each: a page of the dashboard, which brings the cases and the attention list together."""

from urllib.parse import urlencode

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from safepassage.cases import probes, queues, sign_ins
from safepassage.cases.forms import SearchForm
from safepassage.cases.pages import CountedPaginator
from safepassage.dashboard.attention import items_for, kinds_by_case
from safepassage.programmes import session_keys
from safepassage.programmes.access import StaffRequest, staff_required
from safepassage.programmes.roles import CASE_ROLES
from safepassage.programmes.services import programme_by_slug


@staff_required
def queue(request: StaffRequest, slug: str) -> HttpResponse:
    programme = programme_by_slug(slug)
    if programme is None or programme.pk not in request.scope.case_programme_ids():
        raise Http404
    keyring = session_keys.keyring(request, programme)
    if not keyring:
        return redirect("staff:login")
    probes.index_pending(programme, keyring, limit=settings.PROBE_INDEX_PER_PAGE)
    sign_ins.read_new(programme, keyring, user=request.user)
    roles = request.scope.roles_in(programme.pk) & CASE_ROLES
    search = SearchForm(request.GET, states=queues.filterable_states(roles))
    valid = search.is_valid()
    waiting = queues.queue(
        programme,
        roles,
        search=search.cleaned_data["q"] if valid else "",
        state=search.cleaned_data["state"] if valid else "",
    )
    page = CountedPaginator(waiting.cases, 50, count=waiting.count).get_page(
        request.GET.get("page")
    )
    rows = queues.queue_rows(
        list(page.object_list), roles=roles, keyring=keyring, user=request.user
    )
    needing = [
        i for i in items_for(request.scope, timezone.now()) if i.programme_id == programme.pk
    ]
    attention = kinds_by_case(needing)
    return render(
        request,
        "dashboard/queue.html",
        {
            "programme": programme,
            "page": page,
            "rows": [(row, attention.get(row.case.reference, [])) for row in rows],
            "search": search,
            "needing": needing,
            "filter_query": urlencode({"state": search.cleaned_data.get("state", "")})
            if valid
            else "",
            "roles": sorted(roles),
            "not_yet_checked": probes.not_yet_indexed(programme),
        },
    )
