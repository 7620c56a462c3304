"""The staff navigation bar: the pages this person's roles open, by programme.

A context processor (settings.TEMPLATES), so every staff page shows the same bar: home,
each programme's pages for the roles held there, the person, and sign out.
"""

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from safepassage.programmes.access import is_verified
from safepassage.programmes.roles import CASE_ROLES, Role, readable_groups
from safepassage.programmes.services import StaffScope, programmes_for, scope_of

# The roles that read and answer applicants' messages: they have the inbox.
ANSWERING = frozenset(role for role in Role if "messages" in readable_groups({role}))


@dataclass(frozen=True)
class ProgrammeLinks:
    name: str
    links: list[tuple[str, str]]  # (label, url)


def _links(slug: str, roles: frozenset[Role]) -> list[tuple[str, str]]:
    links = []
    if roles & CASE_ROLES:
        links.append((_("Queue"), reverse("cases:queue", args=[slug])))
    if roles & ANSWERING:
        links.append((_("Inbox"), reverse("inbox:inbox", args=[slug])))
    if Role.INTAKE in roles:
        links.append((_("Take a call"), reverse("inbox:call", args=[slug])))
        links.append((_("A relative's call"), reverse("families-call", args=[slug])))
    if Role.COORDINATOR in roles:
        links.append((_("Planner"), reverse("passage:planner", args=[slug])))
    if Role.RECEPTION in roles:
        links.append((_("Reception desk"), reverse("reception:desk", args=[slug])))
    if roles & {Role.AFTERCARE, Role.ADMIN}:
        links.append((_("Rewards"), reverse("aftercare:rewards", args=[slug])))
    if roles & {Role.RECEPTION, Role.AFTERCARE}:
        links.append((_("Exchange lists"), reverse("aftercare:exchange_lists", args=[slug])))
    if Role.TRACING in roles:
        links.append((_("Inquiries"), reverse("tracing-inquiries", args=[slug])))
    if Role.VOLUNTEER in roles:
        links.append((_("Volunteer service"), reverse("volunteer:candidates", args=[slug])))
    if Role.ADMIN in roles:
        links.append((pgettext("staff team", "People"), reverse("staff:people", args=[slug])))
        links.append((_("Reply templates"), reverse("inbox:templates", args=[slug])))
        links.append((_("Campaigns"), reverse("outreach:campaigns", args=[slug])))
        links.append((_("Official channels"), reverse("outreach:channels", args=[slug])))
        links.append((_("Sectors and signals"), reverse("passage:sectors", args=[slug])))
        links.append((_("Audit log"), reverse("audit-browse", args=[slug])))
    return links


def navigation_for(scope: StaffScope) -> tuple[list[ProgrammeLinks], bool]:
    """Each programme's links, and whether the person is a liaison (notices are per person)."""
    programmes = programmes_for(sorted(scope.roles))
    menus = [ProgrammeLinks(p.name, _links(p.slug, scope.roles_in(p.pk))) for p in programmes]
    liaison = any(Role.LIAISON in roles for roles in scope.roles.values())
    return [m for m in menus if m.links], liaison


def staff_navigation(request: HttpRequest) -> dict[str, Any]:
    scope = getattr(request, "scope", None)
    if scope is None and is_verified(getattr(request, "user", None)):
        scope = scope_of(request.user)  # type: ignore[arg-type]  # a staff error page
    if scope is None:
        return {}
    menus, liaison = navigation_for(scope)
    return {"staff_menus": menus, "staff_is_liaison": liaison}
