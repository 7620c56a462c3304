"""The scaffolding of every staff page on one case, for each app that has one (cases,
passage, reception, after-care, volunteer, the inbox): the case found within the person's
roles (else 404), the programme key open in his session (else the page that says why not).
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from safepassage.cases import casework
from safepassage.cases.models import Case
from safepassage.programmes import session_keys
from safepassage.programmes.access import StaffRequest, staff_required
from safepassage.programmes.groupkeys import Keyring
from safepassage.programmes.models import KeyGrant
from safepassage.programmes.roles import CASE_ROLES, Role


class CountedPaginator(Paginator[Any]):
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
    keyring = session_keys.keyring(request, case.programme)
    if not keyring:
        raise Locked
    return CaseAccess(case, roles, keyring)


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
