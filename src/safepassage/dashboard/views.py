"""Staff home: what this person can open, and the counters of their programmes."""

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from safepassage.cases import rekeying, sign_ins
from safepassage.cases.queues import counters
from safepassage.cases.states import State
from safepassage.dashboard import charts
from safepassage.dashboard.attention import items_for
from safepassage.lib import display
from safepassage.outreach import daily
from safepassage.passage import notices, plans
from safepassage.passage.models import Crossing
from safepassage.programmes import invitations, key_grants, session_keys
from safepassage.programmes.access import StaffRequest, staff_required
from safepassage.programmes.roles import Role
from safepassage.programmes.services import programmes_for
from safepassage.reception.services import overdue_cards


@staff_required
def home(request: StaffRequest) -> HttpResponse:
    scope = request.scope
    visible = sorted(set(scope.case_programme_ids()) | set(scope.admin_programme_ids()))
    totals = counters(visible)

    def holding(role: Role) -> list[int]:
        return [pid for pid, roles in scope.roles.items() if role in roles]

    reception_ids = holding(Role.RECEPTION)
    now = timezone.now()
    is_liaison = any(Role.LIAISON in roles for roles in scope.roles.values())
    unit_notices = (
        notices.notices_for(request.user, plans.keys_of(request), now) if is_liaison else []
    )
    live = [n for n in unit_notices if n.is_active]
    # The admin decided who joins; a key holder, whose session holds the key, executes.
    keyrings = {
        programme: keyring
        for programme in programmes_for(sorted(scope.roles))
        if (keyring := session_keys.keyring(request, programme))
    }
    for programme, keyring in keyrings.items():  # a duress sign-in becomes its signal here
        sign_ins.read_new(programme, keyring, user=request.user)
    unit_keys_waiting = [
        (programme, waiting)
        for programme, keyring in keyrings.items()
        for waiting in plans.unit_keys_waiting(programme.pk, keyring)
    ]
    units_due_renewal = [
        (programme, unit)
        for programme, keyring in keyrings.items()
        for unit in plans.units_due_renewal(programme.pk, keyring)
    ]
    waiting_for_key = [
        (programme, person)
        for programme, keyring in keyrings.items()
        for person in key_grants.waiting_for_key(programme, keyring)
    ]
    rotations = [programme for programme in keyrings if rekeying.open_rotation(programme)]
    return render(
        request,
        "dashboard/home.html",
        {
            "waiting_for_key": waiting_for_key,
            "my_resets": invitations.recent_resets(
                request.user, now - invitations.RESETS_SHOWN_FOR
            ),
            "unit_keys_waiting": unit_keys_waiting,
            "units_due_renewal": units_due_renewal,
            "rotations": rotations,
            "case_programmes": programmes_for(scope.case_programme_ids()),
            "admin_programmes": programmes_for(scope.admin_programme_ids()),
            "coordinator_programmes": programmes_for(holding(Role.COORDINATOR)),
            "reception_programmes": programmes_for(reception_ids),
            "rewards_programmes": programmes_for(
                sorted(set(holding(Role.AFTERCARE)) | set(holding(Role.ADMIN)))
            ),
            "volunteer_programmes": programmes_for(holding(Role.VOLUNTEER)),
            # Counted over every programme whose cases this person sees, so the whole team
            # notices a late card, not only reception.
            "overdue_cards": overdue_cards(visible, now).count(),
            "attention": items_for(scope, now),
            "is_liaison": is_liaison,
            "liaison_notices": [
                (notice, display.time_left(notice.window_start, now)) for notice in live
            ],
            "liaison_withdrawn": [n for n in unit_notices if n.withdrawal_unseen],
            "liaison_waiting": sum(n.status == Crossing.Status.NOTIFIED for n in live),
            "counters": totals,
            "per_day": daily.applications_per_day(visible, now) if visible else None,
            "charts": [
                charts.funnel(visible),
                charts.capture_cards(visible, now),
            ]
            if visible
            else [],
            "states": [(state.label, totals.by_state[state.value]) for state in State],
            "has_programmes": bool(visible),
        },
    )


@staff_required
def help_page(request: StaffRequest) -> HttpResponse:
    """A short help text for each of the person's roles, in his language."""
    held = {role for roles in request.scope.roles.values() for role in roles}
    roles = [(role.value, role.label) for role in Role if role in held]
    return render(request, "dashboard/help.html", {"roles": roles})
