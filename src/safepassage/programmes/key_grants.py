"""Key grants (issue #17): the admin decided which roles a person has; a key holder executes, from
his own session, by sealing the field groups' keys those roles read to the person's public key.
Beside each person waiting: who decided, and his account's recent resets.
"""

from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from safepassage.audit import log
from safepassage.audit.actions import Action
from safepassage.programmes import groupkeys, invitations, staff_keys, team
from safepassage.programmes.groupkeys import Keyring
from safepassage.programmes.models import GroupKey, Invitation, Membership, Programme
from safepassage.programmes.roles import FIELD_GROUPS
from safepassage.vault import crypto


@dataclass(frozen=True)
class Waiting:
    user: User
    roles: list[str]  # the admin's decision, in words
    decided_by: str  # the admin who invited him, if he joined by invitation
    groups: list[str]  # the keys he waits for that this key holder can give, in words
    resets: list[invitations.Reset] = field(
        default_factory=list
    )  # his account's resets, last 30 days


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
    missing = team.missing_groups(programme)
    for user in User.objects.filter(pk__in=missing).order_by("username"):
        can_give = missing[user.pk] & holding.keys()
        if not can_give:
            continue
        invited = inviter(programme.pk, user)
        decided_by = invited.username if invited else ""
        waiting.append(
            Waiting(
                user,
                team.role_labels(team.members_of(programme, user)),
                decided_by,
                team.group_labels(can_give),
                invitations.recent_resets(user, timezone.now() - invitations.RESETS_SHOWN_FOR),
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
    giving = team.missing_groups(programme).get(user.pk, frozenset()) & keyring.keys()
    if not giving:
        raise team.TeamRefused(_("This person is not waiting for a key you hold."))
    if programme.rotating and not giving <= (next_keyring or {}).keys():
        raise team.TeamRefused(_("A key rotation is under way: sign in again, then grant."))
    staff_keys.grant(programme, user, groupkeys.only(keyring, giving), next_keyring)
    log.record(
        Action.STAFF_KEY_GRANTED,
        log.staff_actor(by),
        programme_id=programme.pk,
        staff=user.pk,
        groups=sorted(giving),
    )


class GroupKeyRefused(Exception):
    """The new group's key cannot be made for that person; the message says why."""


def make_for_first_holder(programme: Programme, group: str, holder: User) -> None:
    """A field group added after the programme was created (the families group, issue #24):
    its key pair is made and its private half sealed at once to one person whose roles read
    it, who then grants it to the others in the web UI like any key. Run by the operator
    (`safepassage grant-new-group`), as `create-programme` is: no admin can do it, so no admin
    can hand himself or an account he made a key nobody else held."""
    if group not in FIELD_GROUPS:
        raise GroupKeyRefused(f"no field group {group!r}")
    roles = set(
        Membership.objects.filter(programme=programme, user=holder).values_list("role", flat=True)
    )
    if not roles & set(FIELD_GROUPS[group]):
        raise GroupKeyRefused(
            f"{holder.username} has no role in {programme.slug} that reads {group}"
        )
    with transaction.atomic():
        if GroupKey.objects.select_for_update().filter(programme=programme, group=group).exists():
            raise GroupKeyRefused(f"{programme.slug} has its {group} key already")
        pair = crypto.new_keypair()
        GroupKey.objects.create(programme=programme, group=group, public_key=pair.public)
        staff_keys.grant(programme, holder, {group: pair.private})
        log.record(
            Action.GROUP_KEY_MADE,
            log.SYSTEM,
            programme_id=programme.pk,
            group=group,
            holder=holder.pk,
        )
    if hasattr(programme, "_group_keys"):
        del programme._group_keys
