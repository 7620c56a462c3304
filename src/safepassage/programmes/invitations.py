"""Invitations (issue #17): a single-use link to join a programme or to reset one's password and
second factor, and the steps its holder takes.

The admin decides who joins, with which roles; the link is all the invitee gets. Only a hash of
its token is stored, it expires after INVITATION_HOURS, and its first step claims it, so a second
holder of the same link gets nothing. A reset needs one of his recovery codes or a second admin's
confirmation. Every act is audited with the acting person, in the same transaction.
"""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from hashlib import blake2b

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from safepassage.audit import log
from safepassage.audit.actions import Action
from safepassage.programmes import groupkeys, staff_keys, team
from safepassage.programmes.groupkeys import Keyring
from safepassage.programmes.models import (
    Invitation,
    KeyGrant,
    Membership,
    Programme,
    StaffKey,
)
from safepassage.programmes.roles import Role, groups_of
from safepassage.vault import crypto

INVITATION_HOURS = 72


RECOVERY_CODES = 10


RESETS_SHOWN_FOR = timedelta(days=30)  # to him at sign-in, to key holders beside a grant


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
        raise team.TeamRefused(_("Choose at least one role."))
    if User.objects.filter(username__iexact=username).exists():
        raise team.TeamRefused(_("That username is taken. Choose another."))
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


@transaction.atomic
def reset_link(programme: Programme, user: User, purpose: str, *, by: User | None) -> Issued:
    """A link for a member to enrol a new second factor or set a new password (`by` None:
    the demo's first enrolment). Neither lets its maker become him: a second-factor reset
    asks for his own password, a password reset for one of his recovery codes or a second
    admin's confirmation."""
    if not team.members_of(programme, user):
        raise team.TeamRefused(_("This person has no role in the programme."))
    if by is not None and by.pk == user.pk and purpose == Invitation.Purpose.PASSWORD:
        raise team.TeamRefused(_("Another admin makes a password reset link for you."))
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
    if by.pk not in team.admins(programme):
        raise team.TeamRefused(_("Only an admin of the programme confirms a reset."))
    found = [i for i in resets_to_confirm(programme, by, timezone.now()) if i.pk == invitation_id]
    if not found:
        raise team.TeamRefused(_("This reset is not waiting for your confirmation."))
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
        raise team.TeamRefused(_("This link has already been used or has expired."))


@transaction.atomic
def join(invitation: Invitation, password: str, *, token: str, now: datetime) -> User:
    """Claim a join invitation with a password the validators accepted: the account, its key
    pair and its roles. The group keys wait for key holders, unless the invitation carries
    them (the programme's first key holders)."""
    _claim(invitation, now)
    if User.objects.filter(username__iexact=invitation.username).exists():
        raise team.TeamRefused(_("That username is taken. Ask your programme admin."))
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
        raise team.TeamRefused(
            _(
                "Give one of your recovery codes, or ask a second admin of the programme to"
                " confirm this reset first."
            )
        )
    _claim(invitation, now)
    StaffKey.objects.filter(user=user).delete()
    KeyGrant.objects.filter(user=user).delete()
    team.key_pair_replaced.send(sender=User, user=user)
    user.set_password(password)
    user.save(update_fields=["password"])
    staff_keys.own_key_pair(user, password)
    team.end_sessions(user)
    log.record(Action.STAFF_PASSWORD_CHANGED, log.staff_actor(user), reset=True)
    return user


@transaction.atomic
def confirm_password(invitation: Invitation, password: str, *, now: datetime) -> User:
    """A second-factor reset starts with his own password: the link alone is not enough."""
    user = invitation.user
    if user is None or not user.check_password(password):
        raise team.TeamRefused(_("That is not the password of this account."))
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
