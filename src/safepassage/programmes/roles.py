"""Who may do and see what. One table per question, so the whole policy reads in a minute."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    INTAKE = "intake", _("Intake operator")
    VERIFIER = "verifier", _("Verifier")
    COORDINATOR = "coordinator", _("Coordinator")
    LIAISON = "liaison", _("Receiving-unit liaison")
    RECEPTION = "reception", _("Reception officer")
    AFTERCARE = "aftercare", _("After-care officer")
    # Volunteer service is kept apart from everything else (GC III Art. 130): only this role
    # sees its records, and it has no case queue of its own.
    VOLUNTEER = "volunteer", _("Volunteer-service officer")
    ADMIN = "admin", _("Programme admin")


# Roles that hold the programme's private key: those that read case contents. A liaison never
# does (nothing he can reach decrypts a case), nor a programme admin, who administers without
# reading cases: a copy of the database and an admin's password open nothing (issue #17). A
# key holder grants a newcomer by sealing the key to his own public key (staff_keys.py). The
# volunteer officer holds it until field groups have keys of their own.
KEY_HOLDERS = frozenset(Role) - {Role.LIAISON, Role.ADMIN}

# Roles that open cases at all, and the case states each role's queue shows.
QUEUES: dict[Role, tuple[str, ...]] = {
    Role.INTAKE: ("inquiry", "applied", "dormant"),
    Role.VERIFIER: ("applied", "verifying"),
    Role.COORDINATOR: ("verified", "scheduled", "in_transit"),
    Role.RECEPTION: ("in_transit", "received"),
    Role.AFTERCARE: ("registered", "pathway_chosen"),
}
CASE_ROLES = frozenset(QUEUES)
# Besides its own queue, the states a role may filter its programme's cases by: those who
# take applicants in also look back at the cases that ended early.
ENDED_EARLY = ("cancelled", "rejected", "compromised")
FILTERS: dict[Role, tuple[str, ...]] = {
    **QUEUES,
    Role.INTAKE: (*QUEUES[Role.INTAKE], "answered", *ENDED_EARLY),
    Role.VERIFIER: (*QUEUES[Role.VERIFIER], "verified", *ENDED_EARLY),
    Role.COORDINATOR: (*QUEUES[Role.COORDINATOR], "lost", *ENDED_EARLY),
}

# The states in which each role may open a case at all (read what its field groups allow,
# annotate, act): where it works, and nothing earlier or later. Reception meets a person only
# once he is on his way; after-care once he has arrived; intake and the verifier never after
# the crossing. Enforced in the query that finds a case (cases.casework.case_in), so a page
# cannot forget it. Every queue and filter state of a role is among them (tested).
BEFORE_THE_CROSSING = ("inquiry", "answered", "applied", "verifying", "verified", "dormant")
AFTER_THE_CROSSING = ("received", "registered", "pathway_chosen", "closed")
OPENS: dict[Role, tuple[str, ...]] = {
    Role.INTAKE: (*BEFORE_THE_CROSSING, "scheduled", *ENDED_EARLY),
    Role.VERIFIER: (*BEFORE_THE_CROSSING, "scheduled", "in_transit", *ENDED_EARLY),
    Role.COORDINATOR: ("verified", "dormant", "scheduled", "in_transit", "lost", *ENDED_EARLY),
    Role.RECEPTION: ("in_transit", *AFTER_THE_CROSSING),
    Role.AFTERCARE: AFTER_THE_CROSSING,
    Role.VOLUNTEER: ("registered", "pathway_chosen", "closed"),
}


def roles_opening(roles: frozenset[Role], state: str) -> frozenset[Role]:
    """Those of `roles` that may open a case in `state`."""
    return frozenset(role for role in roles if state in OPENS.get(role, ()))


# Groups of protected case fields, and the roles that may read each.
FIELD_GROUPS: dict[str, frozenset[Role]] = {
    "identity": frozenset({Role.VERIFIER, Role.RECEPTION, Role.AFTERCARE}),
    "circumstances": frozenset({Role.INTAKE, Role.VERIFIER, Role.COORDINATOR, Role.AFTERCARE}),
    "messages": frozenset({Role.INTAKE, Role.VERIFIER, Role.COORDINATOR}),
    "notes": frozenset(CASE_ROLES),
}


def readable_groups(roles: set[Role] | frozenset[Role]) -> list[str]:
    return [group for group, allowed in FIELD_GROUPS.items() if allowed & set(roles)]
