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
from safepassage.programmes.models import (
    Invitation,
    Programme,
)


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
