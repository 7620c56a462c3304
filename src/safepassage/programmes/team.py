"""The people of a programme (issue #17): their roles, off-boarding, each person's sessions and
the staff list. Joining and resets are in `invitations.py`, key grants in `key_grants.py`; both
build on this module. Every act is audited with the acting person, in the same transaction.
"""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import QuerySet
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from safepassage.audit import log
from safepassage.audit.actions import Action
from safepassage.lib.acts import Refused
from safepassage.programmes.models import (
    KeyGrant,
    Membership,
    Programme,
    StaffSession,
)
from safepassage.programmes.roles import GROUP_LABELS, GROUPS, KEY_HOLDERS, Role, groups_of

# Sent inside the writer's transaction, for the apps that build on the team (passage holds
# the receiving units' keys), so that programmes never imports them.
key_pair_replaced = Signal()  # user=: what was sealed to his old key pair opens nothing now
no_longer_liaison = Signal()  # programme=, user=: he left its receiving units


class TeamRefused(Refused):
    """The act cannot be done as asked; `reason` is safe to show the admin."""


def members_of(programme: Programme, user: User) -> frozenset[str]:
    return frozenset(
        Membership.objects.filter(programme=programme, user=user).values_list("role", flat=True)
    )


# --- The invitee's steps ---------------------------------------------------------------------


# --- Key grants: the admin decided, a key holder executes ------------------------------------


def role_labels(roles: list[str] | frozenset[str]) -> list[str]:
    return [str(Role(role).label) for role in sorted(roles)]


def group_labels(groups: frozenset[str] | set[str]) -> list[str]:
    return [str(GROUP_LABELS[group]) for group in GROUPS if group in groups]


# --- Roles and off-boarding -------------------------------------------------------------------


def admins(programme: Programme) -> set[int]:
    return set(
        Membership.objects.filter(programme=programme, role=Role.ADMIN).values_list(
            "user_id", flat=True
        )
    )


def has_one_admin(programme: Programme) -> bool:
    """Then a colleague's password reset waits for his own recovery code: no second admin
    can confirm it."""
    return len(admins(programme)) < 2


@transaction.atomic
def change_roles(programme: Programme, user: User, roles: list[str], *, by: User) -> None:
    """His roles in the programme become `roles`. A role that held the programme key, gone,
    takes the grant with it; a new one waits for a key holder. No programme is left without
    an admin."""
    if not roles:
        raise TeamRefused(_("Choose at least one role, or deactivate the person instead."))
    if Role.ADMIN not in roles and admins(programme) == {user.pk}:
        raise TeamRefused(_("The programme's last admin cannot stop being one."))
    if by.pk == user.pk and not set(roles) <= members_of(programme, user):
        raise TeamRefused(_("Another admin gives you a new role: nobody adds roles to himself."))
    Membership.objects.filter(programme=programme, user=user).exclude(role__in=roles).delete()
    for role in roles:
        Membership.objects.get_or_create(programme=programme, user=user, role=role)
    # Keys of groups his roles no longer read go; new ones wait for key holders.
    KeyGrant.objects.filter(programme=programme, user=user).exclude(
        group__in=groups_of(roles)
    ).delete()
    if Role.LIAISON not in roles:
        no_longer_liaison.send(sender=User, programme=programme, user=user)
    end_sessions(user)  # his pages and keys change: he signs in again
    log.record(
        Action.STAFF_ROLES_CHANGED,
        log.staff_actor(by),
        programme_id=programme.pk,
        staff=user.pk,
        roles=sorted(roles),
    )


@dataclass(frozen=True)
class Deactivated:
    held_the_key: bool  # a copy of the database from before and his password open cases


@transaction.atomic
def deactivate(programme: Programme, user: User, *, by: User) -> Deactivated:
    """He leaves the programme: roles, grants and unit keys go, every session of his ends at
    its next request, and an account with no role left anywhere is disabled."""
    if user.pk in admins(programme) and admins(programme) == {user.pk}:
        raise TeamRefused(_("The programme's last admin cannot be deactivated."))
    if not members_of(programme, user):
        raise TeamRefused(_("This person has no role in the programme."))
    held = KeyGrant.objects.filter(programme=programme, user=user).exists()
    Membership.objects.filter(programme=programme, user=user).delete()
    KeyGrant.objects.filter(programme=programme, user=user).delete()
    no_longer_liaison.send(sender=User, programme=programme, user=user)
    if not Membership.objects.filter(user=user).exists():
        user.is_active = False
        user.save(update_fields=["is_active"])
    end_sessions(user)
    log.record(
        Action.STAFF_DEACTIVATED,
        log.staff_actor(by),
        programme_id=programme.pk,
        staff=user.pk,
        held_key=held,
    )
    return Deactivated(held)


# --- Sessions ----------------------------------------------------------------------------------


def remember_session(user: User, session_key: str, browser: str) -> None:
    StaffSession.objects.update_or_create(
        session_key=session_key, defaults={"user": user, "browser": browser[:120]}
    )


def sessions_of(user: User) -> QuerySet[StaffSession]:
    """His sessions that are still alive, newest first."""
    alive = Session.objects.filter(expire_date__gt=timezone.now()).values("session_key")
    return StaffSession.objects.filter(user=user, session_key__in=alive).order_by("-started_at")


def end_session(user: User, session_id: int) -> bool:
    row = StaffSession.objects.filter(user=user, pk=session_id).first()
    if row is None:
        return False
    Session.objects.filter(session_key=row.session_key).delete()
    row.delete()
    return True


def end_sessions(user: User) -> int:
    """Every session of his ends: its row is gone, so its next request is signed out."""
    rows = StaffSession.objects.filter(user=user)
    ended, _ = Session.objects.filter(session_key__in=rows.values("session_key")).delete()
    rows.delete()
    return ended


# --- The staff list ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Member:
    user: User
    roles: list[str]  # in words
    second_factor: bool
    key: str  # "held", "waiting" or "none" (roles that hold no key)
    sessions: int


@dataclass(frozen=True)
class Former:
    username: str
    left: datetime
    by: str


def former_members(programme: Programme) -> list[Former]:
    """People deactivated in this programme and not members again, newest first, as the
    audit log recorded it: who left, when, and who decided."""
    from safepassage.audit.models import AuditEvent  # the record of who left is the log's

    current = set(Membership.objects.filter(programme=programme).values_list("user_id", flat=True))
    left: dict[int, tuple[datetime, int | None]] = {}  # staff id: (when, by whom)
    for event in AuditEvent.objects.filter(
        programme_id_ref=programme.pk, action=Action.STAFF_DEACTIVATED.value
    ).order_by("seq"):
        staff_id = (event.detail or {}).get("staff")
        if isinstance(staff_id, int) and staff_id not in current:
            by = event.actor.removeprefix("staff:")
            left[staff_id] = (event.at, int(by) if by.isdigit() else None)
    wanted = set(left) | {by for _at, by in left.values() if by is not None}
    names = dict(User.objects.filter(pk__in=wanted).values_list("pk", "username"))
    found = [
        Former(names.get(staff_id, ""), at, names.get(by, "") if by else "")
        for staff_id, (at, by) in left.items()
    ]
    return sorted(found, key=lambda former: former.left, reverse=True)


def team_of(programme: Programme) -> list[Member]:
    memberships: dict[int, list[str]] = {}
    for user_id, role in Membership.objects.filter(programme=programme).values_list(
        "user_id", "role"
    ):
        memberships.setdefault(user_id, []).append(role)
    users = User.objects.filter(pk__in=memberships).order_by("username")
    with_device = set(
        TOTPDevice.objects.filter(user__in=users, confirmed=True).values_list("user_id", flat=True)
    )
    missing = missing_groups(programme)
    alive = Session.objects.filter(expire_date__gt=timezone.now()).values("session_key")
    open_sessions: dict[int, int] = {}
    for user_id in StaffSession.objects.filter(user__in=users, session_key__in=alive).values_list(
        "user_id", flat=True
    ):
        open_sessions[user_id] = open_sessions.get(user_id, 0) + 1
    team = []
    for user in users:
        roles = memberships[user.pk]
        holds = bool(KEY_HOLDERS & {Role(role) for role in roles})
        key = "none" if not holds else ("waiting" if user.pk in missing else "held")
        team.append(
            Member(
                user,
                role_labels(roles),
                user.pk in with_device,
                key,
                open_sessions.get(user.pk, 0),
            )
        )
    return team


def missing_groups(programme: Programme) -> dict[int, frozenset[str]]:
    """For each active member with a key pair: the field groups his roles read and no grant
    gives him yet."""
    roles: dict[int, set[str]] = {}
    members = Membership.objects.filter(
        programme=programme, user__is_active=True, user__staff_key__isnull=False
    )
    for user_id, role in members.values_list("user_id", "role"):
        roles.setdefault(user_id, set()).add(role)
    held: dict[int, set[str]] = {}
    for user_id, group in KeyGrant.objects.filter(programme=programme).values_list(
        "user_id", "group"
    ):
        held.setdefault(user_id, set()).add(group)
    missing = {
        user_id: groups_of(his_roles) - held.get(user_id, set())
        for user_id, his_roles in roles.items()
    }
    return {user_id: groups for user_id, groups in missing.items() if groups}
