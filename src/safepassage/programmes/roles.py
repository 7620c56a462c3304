"""Who may do and see what. One table per question, so the whole policy reads in a minute."""

from collections.abc import Iterable

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
    # Answers relatives' inquiries (families/): reads inquiries and nothing of any case.
    TRACING = "tracing", _("Tracing officer")
    ADMIN = "admin", _("Programme admin")


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


# Groups of protected case fields, and the roles that may read each. The table is enforced by
# the encryption (issue #17): each group has its own programme key pair, each case a data key
# per group sealed to that group's public key, and a person's key grants carry only the group
# keys his roles read (programmes/groupkeys.py). A copy of the database plus one person's
# password opens only what his roles read.
FIELD_GROUPS: dict[str, frozenset[Role]] = {
    # GC III Art. 17 particulars, as the applicant gave them.
    "identity": frozenset({Role.VERIFIER, Role.RECEPTION, Role.AFTERCARE}),
    # Where he is, his unit, group and equipment; what an operator noted of a call.
    "circumstances": frozenset({Role.INTAKE, Role.VERIFIER, Role.COORDINATOR, Role.AFTERCARE}),
    # His conversation with the programme (his codename opens this group's case key too).
    "messages": frozenset({Role.INTAKE, Role.VERIFIER, Role.COORDINATOR}),
    "notes": frozenset(CASE_ROLES),
    # The crossing: planning constraints, sealed plans, the receiving units' keys.
    "plan": frozenset({Role.COORDINATOR, Role.RECEPTION}),
    # The prisoner's registered particulars and custody events.
    "custody": frozenset({Role.RECEPTION, Role.AFTERCARE}),
    # Consent statements, equipment handed over, payment references.
    "aftercare": frozenset({Role.AFTERCARE}),
    # Kept apart from everything else (GC III Art. 130).
    "volunteer": frozenset({Role.VOLUNTEER}),
    # Relatives' inquiries: who asks, about whom, and what they wrote (families/).
    "families": frozenset({Role.TRACING}),
}
GROUPS = tuple(FIELD_GROUPS)
GROUP_LABELS = {
    "identity": _("identity"),
    "circumstances": _("circumstances"),
    "messages": _("messages"),
    "notes": _("notes"),
    "plan": _("crossing plans"),
    "custody": _("custody"),
    "aftercare": _("after-care"),
    "volunteer": _("volunteer service"),
    "families": _("families' inquiries"),
}
# Notes are sealed to their group's key directly; every other group's texts are encrypted
# under a data key of the case for that group.
CASE_KEY_GROUPS = tuple(group for group in GROUPS if group not in ("notes", "families"))
# Not a case's: inquiries have data keys of their own, sealed to the families key. A key
# rotation does not re-seal them yet, so it leaves the families key as it is (rekeying.py).
ROTATED_GROUPS = tuple(group for group in GROUPS if group != "families")


def readable_groups(roles: set[Role] | frozenset[Role]) -> list[str]:
    return [group for group, allowed in FIELD_GROUPS.items() if allowed & set(roles)]


def groups_of(roles: Iterable[Role | str]) -> frozenset[str]:
    """The field groups whose keys a person with these roles holds."""
    return frozenset(readable_groups({Role(role) for role in roles}))


# Roles that hold any programme key: those that read case contents. A liaison never does
# (nothing he can reach decrypts a case; his unit keys open its plans only), nor a programme
# admin, who administers without reading cases: a copy of the database and an admin's
# password open nothing. A key holder grants a newcomer the groups both of them hold, sealed
# to the newcomer's own public key (staff_keys.py).
KEY_HOLDERS = frozenset(role for role in Role if groups_of({role}))
