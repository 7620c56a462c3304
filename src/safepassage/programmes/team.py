"""The people of a programme (issue #17): invitations, the join steps, key grants waiting for a
key holder, roles, off-boarding, and each person's sessions.

The admin decides (who joins, with which roles); a key holder executes (seals the programme
key to the newcomer's public key, from his own session). An invitation is a single-use link:
only a hash of its token is stored, it expires after INVITATION_HOURS, and its first step
claims it, so a second holder of the same link gets nothing. Every act is audited with the
acting person, in the same transaction.
"""

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from hashlib import blake2b

from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import QuerySet
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from safepassage.audit import log
from safepassage.audit.actions import Action
from safepassage.lib.acts import Refused
from safepassage.programmes import groupkeys, staff_keys
from safepassage.programmes.groupkeys import Keyring
from safepassage.programmes.models import (
    Invitation,
    KeyGrant,
    Membership,
    Programme,
    StaffKey,
    StaffSession,
)
from safepassage.programmes.roles import GROUP_LABELS, GROUPS, KEY_HOLDERS, Role, groups_of
from safepassage.vault import crypto

INVITATION_HOURS = 72
RECOVERY_CODES = 10
RESETS_SHOWN_FOR = timedelta(days=30)  # to him at sign-in, to key holders beside a grant

# Sent inside the writer's transaction, for the apps that build on the team (passage holds
# the receiving units' keys), so that programmes never imports them.
key_pair_replaced = Signal()  # user=: what was sealed to his old key pair opens nothing now
no_longer_liaison = Signal()  # programme=, user=: he left its receiving units


class TeamRefused(Refused):
    """The act cannot be done as asked; `reason` is safe to show the admin."""


def _token_hash(token: str) -> bytes:
    return blake2b(token.encode(), person=b"sp-invitation", digest_size=32).digest()


def _token_key(token: str) -> bytes:
    return blake2b(token.encode(), person=b"sp-invite-key", digest_size=32).digest()


@dataclass(frozen=True)
class Issued:
    invitation: Invitation
    token: str  # shown once, never stored


def _issue(
    programme: Programme,
    purpose: str,
    *,
    username: str,
    by: User | None,
    roles: list[str] | None = None,
    user: User | None = None,
    keyring: Keyring | None = None,
    now: datetime | None = None,
) -> Issued:
    token = secrets.token_urlsafe(32)
    now = now or timezone.now()
    invitation = Invitation.objects.create(
        programme=programme,
        purpose=purpose,
        username=username,
        roles=sorted(roles or []),
        user=user,
        token_hash=_token_hash(token),
        wrapped_programme_key=(
            crypto.encrypt_bytes(_token_key(token), groupkeys.to_bytes(keyring))
            if keyring
            else None
        ),
        created_by=by,
        expires_at=now + timedelta(hours=INVITATION_HOURS),
    )
    return Issued(invitation, token)


@transaction.atomic
def invite(
    programme: Programme,
    username: str,
    roles: list[str],
    *,
    by: User | None,
    keyring: Keyring | None = None,
    now: datetime | None = None,
) -> Issued:
    """A link to join with these roles. `keyring` only from create-programme, for the first
    key holders, whom no key holder could otherwise grant: the keys of their roles' groups."""
    if not roles or not set(roles) <= set(Role.values):
        raise TeamRefused(_("Choose at least one role."))
    if User.objects.filter(username__iexact=username).exists():
        raise TeamRefused(_("That username is taken. Choose another."))
    issued = _issue(
        programme,
        Invitation.Purpose.JOIN,
        username=username,
        by=by,
        roles=roles,
        keyring=groupkeys.only(keyring, groups_of(roles)) if keyring else None,
        now=now,
    )
    log.record(
        Action.STAFF_INVITED,
        log.staff_actor(by) if by else log.SYSTEM,
        programme_id=programme.pk,
        roles=sorted(roles),
    )
    return issued


def members_of(programme: Programme, user: User) -> frozenset[str]:
    return frozenset(
        Membership.objects.filter(programme=programme, user=user).values_list("role", flat=True)
    )


@transaction.atomic
def reset_link(programme: Programme, user: User, purpose: str, *, by: User | None) -> Issued:
    """A link for a member to enrol a new second factor or set a new password (`by` None:
    the demo's first enrolment). Neither lets its maker become him: a second-factor reset
    asks for his own password, a password reset for one of his recovery codes or a second
    admin's confirmation."""
    if not members_of(programme, user):
        raise TeamRefused(_("This person has no role in the programme."))
    if by is not None and by.pk == user.pk and purpose == Invitation.Purpose.PASSWORD:
        raise TeamRefused(_("Another admin makes a password reset link for you."))
    issued = _issue(programme, purpose, username=user.username, by=by, user=user)
    action = (
        Action.STAFF_SECOND_FACTOR_RESET
        if purpose == Invitation.Purpose.SECOND_FACTOR
        else Action.STAFF_PASSWORD_RESET
    )
    actor = log.staff_actor(by) if by else log.SYSTEM
    log.record(action, actor, programme_id=programme.pk, staff=user.pk)
    return issued


def resets_to_confirm(programme: Programme, admin: User, now: datetime) -> list[Invitation]:
    """Password resets of the programme that this admin may confirm: open, unconfirmed, made
    by another admin, for someone else."""
    return list(
        Invitation.objects.filter(
            programme=programme,
            purpose=Invitation.Purpose.PASSWORD,
            confirmed_by__isnull=True,
            claimed_at__isnull=True,
            finished_at__isnull=True,
            expires_at__gt=now,
        )
        .exclude(created_by=admin)
        .exclude(user=admin)
        .exclude(created_by__isnull=True)
        .select_related("user", "created_by")
        .order_by("created_at")
    )


@transaction.atomic
def confirm_reset(programme: Programme, invitation_id: int, *, by: User) -> Invitation:
    """A second admin confirms a colleague's password reset: its link then works without
    the owner's recovery code."""
    if by.pk not in _admins(programme):
        raise TeamRefused(_("Only an admin of the programme confirms a reset."))
    found = [i for i in resets_to_confirm(programme, by, timezone.now()) if i.pk == invitation_id]
    if not found:
        raise TeamRefused(_("This reset is not waiting for your confirmation."))
    invitation = found[0]
    Invitation.objects.filter(pk=invitation.pk).update(confirmed_by=by, confirmed_at=timezone.now())
    log.record(
        Action.STAFF_RESET_CONFIRMED,
        log.staff_actor(by),
        programme_id=programme.pk,
        staff=invitation.user_id,
    )
    return invitation


@dataclass(frozen=True)
class Reset:
    """A reset of someone's account, as he and key holders read it."""

    what: str
    by: str
    on: datetime


def recent_resets(user: User, since: datetime) -> list[Reset]:
    """His account's resets finished since `since`, newest first: he sees them at sign-in,
    and key holders beside any key he waits for."""
    finished = (
        Invitation.objects.filter(
            user=user,
            purpose__in=[Invitation.Purpose.PASSWORD, Invitation.Purpose.SECOND_FACTOR],
            finished_at__gte=since,
            created_by__isnull=False,
        )
        .select_related("created_by")
        .order_by("-finished_at")
    )
    return [
        Reset(
            str(Invitation.Purpose(i.purpose).label),
            i.created_by.username if i.created_by else "",
            i.finished_at or i.created_at,
        )
        for i in finished
    ]


# --- The invitee's steps ---------------------------------------------------------------------


def forget_expired_keys(now: datetime) -> int:
    """An unused first key holder's link (create-programme) carries group keys wrapped under
    its token: once it has expired they go, so a copy of the database and a leaked link
    together open nothing (issue #22, point 13). Run by the worker every hour."""
    return Invitation.objects.filter(
        expires_at__lt=now, wrapped_programme_key__isnull=False
    ).update(wrapped_programme_key=None)


def find(token: str, now: datetime) -> Invitation | None:
    """The invitation this token opens, if it can still be used."""
    invitation = Invitation.objects.filter(token_hash=_token_hash(token)).first()
    if invitation is None or invitation.finished_at or invitation.expires_at <= now:
        return None
    return invitation


def open_keys(invitation: Invitation, token: str) -> Keyring:
    if invitation.wrapped_programme_key is None:
        return {}
    blob = crypto.decrypt_bytes(_token_key(token), bytes(invitation.wrapped_programme_key))
    return groupkeys.from_bytes(blob)


def _claim(invitation: Invitation, now: datetime) -> None:
    """The first step takes the link: a second holder of it gets nothing."""
    claimed = Invitation.objects.filter(
        pk=invitation.pk, claimed_at__isnull=True, expires_at__gt=now
    ).update(claimed_at=now)
    if not claimed:
        raise TeamRefused(_("This link has already been used or has expired."))


@transaction.atomic
def join(invitation: Invitation, password: str, *, token: str, now: datetime) -> User:
    """Claim a join invitation with a password the validators accepted: the account, its key
    pair and its roles. The group keys wait for key holders, unless the invitation carries
    them (the programme's first key holders)."""
    _claim(invitation, now)
    if User.objects.filter(username__iexact=invitation.username).exists():
        raise TeamRefused(_("That username is taken. Ask your programme admin."))
    user = User(username=invitation.username)
    user.set_password(password)
    user.save()
    staff_keys.own_key_pair(user, password)
    for role in invitation.roles:
        Membership.objects.create(user=user, programme=invitation.programme, role=role)
    if carried := open_keys(invitation, token):
        staff_keys.grant(
            invitation.programme, user, groupkeys.only(carried, groups_of(invitation.roles))
        )
    Invitation.objects.filter(pk=invitation.pk).update(user=user, wrapped_programme_key=None)
    log.record(
        Action.STAFF_JOINED,
        log.staff_actor(user),
        programme_id=invitation.programme_id,
        roles=list(invitation.roles),
    )
    return user


def _recovery_code_matches(user: User, code: str) -> bool:
    """One of his recovery codes (django-otp's static tokens), used up by this check."""
    code = code.strip().lower()
    return bool(code) and any(
        device.verify_token(code) for device in StaticDevice.objects.filter(user=user)
    )


@transaction.atomic
def new_password(
    invitation: Invitation, password: str, *, recovery_code: str = "", now: datetime
) -> User:
    """A forgotten password: a new key pair, so what was sealed to the old one is gone; the
    programme key waits for a key holder again. Every session of his ends. Only he finishes
    it, with one of his recovery codes, unless a second admin confirmed the reset: the admin
    who made the link cannot alone become him."""
    user = invitation.user
    assert user is not None
    if invitation.confirmed_by_id is None and not _recovery_code_matches(user, recovery_code):
        raise TeamRefused(
            _(
                "Give one of your recovery codes, or ask a second admin of the programme to"
                " confirm this reset first."
            )
        )
    _claim(invitation, now)
    StaffKey.objects.filter(user=user).delete()
    KeyGrant.objects.filter(user=user).delete()
    key_pair_replaced.send(sender=User, user=user)
    user.set_password(password)
    user.save(update_fields=["password"])
    staff_keys.own_key_pair(user, password)
    end_sessions(user)
    log.record(Action.STAFF_PASSWORD_CHANGED, log.staff_actor(user), reset=True)
    return user


@transaction.atomic
def confirm_password(invitation: Invitation, password: str, *, now: datetime) -> User:
    """A second-factor reset starts with his own password: the link alone is not enough."""
    user = invitation.user
    if user is None or not user.check_password(password):
        raise TeamRefused(_("That is not the password of this account."))
    _claim(invitation, now)
    return user


def may_resume(invitation: Invitation, password: str) -> bool:
    """An enrolment taken up to its password step, by whoever knows the password set then."""
    user = invitation.user
    return (
        invitation.purpose in (Invitation.Purpose.JOIN, Invitation.Purpose.SECOND_FACTOR)
        and invitation.claimed_at is not None
        and invitation.finished_at is None
        and user is not None
        and user.check_password(password)
    )


def pending_device(user: User) -> TOTPDevice:
    """A new, unconfirmed authenticator for this enrolment only (its id is kept in the
    enrolling session; a device made for another session is never reused)."""
    return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)


@transaction.atomic
def confirm_device(invitation: Invitation, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm the enrolling session's authenticator with its first code: it replaces any
    other, and he gets new one-time recovery codes (django-otp static tokens), shown once.
    None for a wrong code."""
    allowed, _why = device.verify_is_allowed()
    if not allowed or not device.verify_token(token):
        return None
    user = device.user
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    StaticDevice.objects.filter(user=user).delete()
    recovery = StaticDevice.objects.create(user=user, name="recovery codes")
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=recovery, token=code) for code in codes)
    Invitation.objects.filter(pk=invitation.pk).update(finished_at=timezone.now())
    log.record(Action.STAFF_SECOND_FACTOR_ENROLLED, log.staff_actor(user))
    return codes


@transaction.atomic
def finish(invitation: Invitation) -> None:
    Invitation.objects.filter(pk=invitation.pk).update(finished_at=timezone.now())


# --- Key grants: the admin decided, a key holder executes ------------------------------------


def role_labels(roles: list[str] | frozenset[str]) -> list[str]:
    return [str(Role(role).label) for role in sorted(roles)]


def group_labels(groups: frozenset[str] | set[str]) -> list[str]:
    return [str(GROUP_LABELS[group]) for group in GROUPS if group in groups]


@dataclass(frozen=True)
class Waiting:
    user: User
    roles: list[str]  # the admin's decision, in words
    decided_by: str  # the admin who invited him, if he joined by invitation
    groups: list[str]  # the keys he waits for that this key holder can give, in words
    resets: list[Reset] = field(default_factory=list)  # his account's resets, last 30 days


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


def inviter(programme_id: int, user: User) -> User | None:
    """The admin whose latest link brought this account into the programme, or None."""
    invitation = (
        Invitation.objects.filter(programme_id=programme_id, user=user, created_by__isnull=False)
        .select_related("created_by")
        .order_by("-created_at")
        .first()
    )
    return invitation.created_by if invitation else None


def waiting_for_key(programme: Programme, holding: Keyring) -> list[Waiting]:
    """Members waiting for group keys that a session holding `holding` can grant."""
    waiting = []
    missing = missing_groups(programme)
    for user in User.objects.filter(pk__in=missing).order_by("username"):
        can_give = missing[user.pk] & holding.keys()
        if not can_give:
            continue
        invited = inviter(programme.pk, user)
        decided_by = invited.username if invited else ""
        waiting.append(
            Waiting(
                user,
                role_labels(members_of(programme, user)),
                decided_by,
                group_labels(can_give),
                recent_resets(user, timezone.now() - RESETS_SHOWN_FOR),
            )
        )
    return waiting


@transaction.atomic
def grant_key(
    programme: Programme,
    user: User,
    *,
    by: User,
    keyring: Keyring,
    next_keyring: Keyring | None = None,
) -> None:
    """Grant `user` the group keys he waits for that `keyring` holds."""
    giving = missing_groups(programme).get(user.pk, frozenset()) & keyring.keys()
    if not giving:
        raise TeamRefused(_("This person is not waiting for a key you hold."))
    if programme.rotating and not giving <= (next_keyring or {}).keys():
        raise TeamRefused(_("A key rotation is under way: sign in again, then grant."))
    staff_keys.grant(programme, user, groupkeys.only(keyring, giving), next_keyring)
    log.record(
        Action.STAFF_KEY_GRANTED,
        log.staff_actor(by),
        programme_id=programme.pk,
        staff=user.pk,
        groups=sorted(giving),
    )


# --- Roles and off-boarding -------------------------------------------------------------------


def _admins(programme: Programme) -> set[int]:
    return set(
        Membership.objects.filter(programme=programme, role=Role.ADMIN).values_list(
            "user_id", flat=True
        )
    )


def has_one_admin(programme: Programme) -> bool:
    """Then a colleague's password reset waits for his own recovery code: no second admin
    can confirm it."""
    return len(_admins(programme)) < 2


@transaction.atomic
def change_roles(programme: Programme, user: User, roles: list[str], *, by: User) -> None:
    """His roles in the programme become `roles`. A role that held the programme key, gone,
    takes the grant with it; a new one waits for a key holder. No programme is left without
    an admin."""
    if not roles:
        raise TeamRefused(_("Choose at least one role, or deactivate the person instead."))
    if Role.ADMIN not in roles and _admins(programme) == {user.pk}:
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
    if user.pk in _admins(programme) and _admins(programme) == {user.pk}:
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
