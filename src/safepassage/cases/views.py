"""Staff pages for cases: the queue and the case. Thin: check scope, call services, render."""

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from safepassage.cases import casework, dossier, probes, queues, sign_ins, transitions
from safepassage.cases.forms import ActionForm, MessageForm, NoteForm, ProbeForm, SearchForm
from safepassage.cases.models import Case
from safepassage.dashboard.attention import items_for, kinds_by_case
from safepassage.lib.acts import Refused, second_step, show_refusal
from safepassage.programmes import keys
from safepassage.programmes.access import StaffRequest, staff_required
from safepassage.programmes.groupkeys import Keyring
from safepassage.programmes.models import KeyGrant
from safepassage.programmes.roles import CASE_ROLES, Role
from safepassage.programmes.services import programme_by_slug


class CountedPaginator(Paginator):
    """A paginator told how many items there are, instead of counting them itself."""

    def __init__(self, object_list: Any, per_page: int, *, count: int) -> None:
        super().__init__(object_list, per_page)
        self._known_count = count

    @property
    def count(self) -> int:
        return self._known_count


class Locked(Exception):
    """The programme key is not open in this session."""


def locked(request: HttpRequest) -> HttpResponse:
    """No key in this session: one granted since he signed in opens at his next sign-in; one
    not granted yet waits for a key holder (programmes/team.py), and he is told so."""
    if KeyGrant.objects.filter(user_id=request.user.pk or 0).exists():
        return redirect("staff:login")
    return render(request, "cases/no_key_yet.html", status=403)


@dataclass(frozen=True)
class CaseAccess:
    case: Case
    roles: frozenset[Role]
    keyring: Keyring


def case_access(
    request: StaffRequest, reference: str, among: frozenset[Role] = CASE_ROLES
) -> CaseAccess:
    """The case if this person holds one of the roles `among` in its programme (else 404),
    with those roles and the programme key."""
    mine = {pid: roles & among for pid, roles in request.scope.roles.items() if roles & among}
    found = casework.case_in(mine, reference)
    if found is None:
        raise Http404
    case, roles = found
    keyring = keys.keyring(request, case.programme)
    if not keyring:
        raise Locked
    return CaseAccess(case, roles, keyring)


def _render_case(
    request: StaffRequest, access: CaseAccess, status: int = 200, **extra: object
) -> HttpResponse:
    view = casework.open_case(
        access.case,
        user=request.user,
        roles=access.roles,
        keyring=access.keyring,
    )
    context = {
        "view": view,
        "actions": transitions.available(access.case, access.roles),
        "can_flag": Role.VERIFIER in access.roles,
        "crossing_link": bool({Role.COORDINATOR, Role.VERIFIER} & access.roles),
        "reception_link": Role.RECEPTION in access.roles,
        "aftercare_link": Role.AFTERCARE in access.roles,
        "note_form": NoteForm(),
        "message_form": MessageForm(),
        "action_form": ActionForm(),
        "error": "",
        **extra,
    }
    return render(request, "cases/case.html", context, status=status)


@staff_required
def queue(request: StaffRequest, slug: str) -> HttpResponse:
    programme = programme_by_slug(slug)
    if programme is None or programme.pk not in request.scope.case_programme_ids():
        raise Http404
    keyring = keys.keyring(request, programme)
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
        "cases/queue.html",
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


@staff_required
def case_detail(request: StaffRequest, reference: str) -> HttpResponse:
    try:
        return _render_case(request, case_access(request, reference))
    except Locked:
        return locked(request)


def case_view(
    among: frozenset[Role] = CASE_ROLES, *, method: str = "POST"
) -> Callable[[Callable[[StaffRequest, CaseAccess], HttpResponse]], Callable[..., HttpResponse]]:
    """A staff page on one case for the roles `among`: scope checked, programme key open,
    else back to sign-in."""

    def decorate(
        view: Callable[[StaffRequest, CaseAccess], HttpResponse],
    ) -> Callable[..., HttpResponse]:
        @require_http_methods([method])
        @staff_required
        @wraps(view)
        def wrapper(request: StaffRequest, reference: str) -> HttpResponse:
            try:
                access = case_access(request, reference, among)
            except Locked:
                return locked(request)
            return view(request, access)

        return wrapper

    return decorate


case_post = case_view()


def _case_url(access: CaseAccess) -> str:
    return reverse("cases:detail", args=[access.case.reference])


def _back(access: CaseAccess) -> HttpResponse:
    return redirect("cases:detail", reference=access.case.reference)


@case_post
def case_action(request: StaffRequest, access: CaseAccess) -> HttpResponse:
    form = ActionForm(request.POST)
    if not form.is_valid():
        return _render_case(request, access, status=400, action_form=form)
    transition = transitions.BY_ACTION.get(form.cleaned_data["action"])
    if (
        transition
        and transition.grave
        and transition in transitions.available(access.case, access.roles)
    ):
        step = second_step(
            request,
            title=_("%(action)s: case %(case)s?")
            % {"action": transition.label, "case": access.case.reference},
            consequence=_("This cannot be undone.")
            if not transition.ends_case
            else _("This ends the case: nothing more will happen with it."),
            back=reverse("cases:detail", args=[access.case.reference]),
            reason_required=transition.ends_case,
        )
        if step is not None:
            return step
    try:
        casework.staff_transition(
            access.case,
            form.cleaned_data["action"],
            user=request.user,
            roles=access.roles,
            keyring=access.keyring,
            reason=form.cleaned_data["reason"],
        )
    except Refused as why:
        return show_refusal(request, why.reason, _case_url(access))
    return _back(access)


@case_post
def case_note(request: StaffRequest, access: CaseAccess) -> HttpResponse:
    form = NoteForm(request.POST)
    if not form.is_valid():
        return _render_case(request, access, status=400, note_form=form)
    casework.add_note(access.case, user=request.user, text=form.cleaned_data["text"])
    return _back(access)


@case_post
def case_message(request: StaffRequest, access: CaseAccess) -> HttpResponse:
    if not {Role.INTAKE, Role.VERIFIER, Role.COORDINATOR} & access.roles:
        raise Http404
    form = MessageForm(request.POST)
    if not form.is_valid():
        return _render_case(request, access, status=400, message_form=form)
    try:
        casework.staff_message(
            access.case,
            user=request.user,
            keyring=access.keyring,
            text=form.cleaned_data["text"],
        )
    except dossier.CaseShredded as shredded:
        return show_refusal(request, shredded.reason, _case_url(access))
    return _back(access)


@case_post
def case_probe(request: StaffRequest, access: CaseAccess) -> HttpResponse:
    form = ProbeForm(request.POST)
    if Role.VERIFIER not in access.roles or not form.is_valid():
        raise Http404
    casework.set_probe_flag(
        access.case,
        user=request.user,
        flagged=form.cleaned_data["flagged"],
    )
    return _back(access)
