"""Rotating a programme's keys (issue #17): after someone leaves, or on schedule.

An admin asks for it (`request`); key holders carry it out from their own sessions. Each field
group has its own key (programmes/groupkeys.py), and no one role reads every group, so each
group is re-sealed by someone who holds it:

- `start` (any key holder) makes a new key pair for every group in that request. The private
  halves are never stored unsealed: each is sealed to every holder of its group (beside his
  grant), and the starter's own go into his session. From then on everything newly sealed to
  a group is sealed to both keys (`Programme.seal`), so new cases use the new keys at once.
- `step` works, in bounded batches driven by a key holder's page (progress shown per
  group), for each group his session holds both keys of. Each case's data key of the group
  is replaced by a new one and the group's texts are encrypted again under it (sealed to the
  current and the next group key, so readers go on), and every receiving unit gets a new key
  pair (passage/plans.py): whoever opened the old data or unit keys reads nothing written
  after the rotation (issue #22, point 4). Two keys are only re-sealed: the messages key,
  which the applicant's codename opens and which cannot be re-wrapped without him, and an
  after-care key under which a payment was recorded (the ledger is append-only). It also
  re-seals the notes (notes key), the blind indexes the group keys (computed again under the
  new key, so the old key cannot test guesses against them) and, through `rotation_step`,
  what passage sealed (plans, unit keys: plan key), into the `…_next` columns beside the
  current ones. Readers go on using the old keys meanwhile: nothing changes for them. A
  writer locks the data key it writes under (`dossier.writing_key`), so a renewal waits for
  it and never leaves a text under a replaced key.
- Once nothing is left in any group, `finish` promotes every `…_next` column in one
  transaction, makes the new keys current (the generation moves on, so a session holding the
  old keys is sent to sign in again), and replaces each grant with its next one; the old
  grants are gone. A copy of the database plus the old private keys then opens no case.

A write that raced the finish (sealed to both keys a moment before) is promoted by the worker
(`promote_stragglers`), which needs no key: it only moves columns.
"""

from dataclasses import dataclass
from typing import Any, cast

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Count, F, QuerySet
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _
from nacl.public import PrivateKey

from safepassage.audit import log
from safepassage.audit.actions import Action
from safepassage.cases import dossier
from safepassage.cases.dossier import circumstances_of, identities_of
from safepassage.cases.models import BlindIndex, Case, CaseKey, Note, SignIn
from safepassage.cases.probes import INDEX_GROUP, digests_of
from safepassage.lib.acts import Refused
from safepassage.programmes.groupkeys import Keyring
from safepassage.programmes.models import (
    GroupKey,
    Invitation,
    KeyGrant,
    KeyRotation,
    Programme,
    StaffKey,
)
from safepassage.programmes.roles import CASE_KEY_GROUPS, GROUPS, ROTATED_GROUPS
from safepassage.vault import crypto

BATCH = 1000

# Apps that seal things to a group key re-seal them too (passage: plans and unit keys, to the
# plan key). rotation_step's receivers re-seal a batch of `group` and return how many;
# rotation_remaining's return {group: how many are left}.
rotation_step = Signal()  # programme_id, group, old_key, new_public, limit
rotation_remaining = Signal()  # programme_id
rotation_finished = Signal()  # programme_id: promote the _next columns


class RotationRefused(Refused):
    """The rotation cannot go on as asked; `reason` is safe to show."""


def open_rotation(programme: Programme) -> KeyRotation | None:
    return KeyRotation.objects.filter(programme=programme, finished_at__isnull=True).first()


def last_finished(programme: Programme) -> KeyRotation | None:
    """The programme's most recent completed rotation, for the page that follows it."""
    return (
        KeyRotation.objects.filter(programme=programme, finished_at__isnull=False)
        .select_related("requested_by")
        .order_by("-finished_at")
        .first()
    )


@transaction.atomic
def request(programme: Programme, *, by: User | None) -> KeyRotation:
    """The admin's decision: the keys are to be rotated; key holders carry it out."""
    rotation = open_rotation(programme)
    if rotation is None:
        rotation = KeyRotation.objects.create(programme=programme, requested_by=by)
        actor = log.staff_actor(by) if by else log.SYSTEM
        log.record(Action.KEY_ROTATION_REQUESTED, actor, programme_id=programme.pk)
    return rotation


def _current(programme: Programme, keyring: Keyring) -> None:
    publics = programme.group_keys()
    for group, key in keyring.items():
        if bytes(PrivateKey(key).public_key) != bytes(publics[group].public_key):
            raise RotationRefused(_("Sign in again: your session holds an older key."))


@transaction.atomic
def start(programme: Programme, *, by: User, keyring: Keyring) -> Keyring:
    """Make the next key pair of every group and seal each to its group's holders; returns
    the next keys of the starter's own groups, for his session only."""
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    rotation = open_rotation(programme)
    if rotation is None:
        raise RotationRefused(_("No key rotation has been asked for."))
    if programme.rotating:
        raise RotationRefused(_("This rotation has already begun."))
    if not keyring:
        raise RotationRefused(_("Only a key holder can start the rotation."))
    _current(programme, keyring)
    publics = dict(StaffKey.objects.values_list("user_id", "public_key"))
    made: Keyring = {}
    for group_key in programme.group_keys().values():
        if group_key.group not in ROTATED_GROUPS:
            continue  # its data is not re-sealed by a rotation yet: its key stays (roles.py)
        pair = crypto.new_keypair()
        GroupKey.objects.filter(pk=group_key.pk).update(next_public_key=pair.public)
        grants = KeyGrant.objects.filter(
            programme=programme, group=group_key.group, user_id__in=publics
        )
        for grant in grants:
            grant.next_sealed_private_key = crypto.seal(bytes(publics[grant.user_id]), pair.private)
            grant.save(update_fields=["next_sealed_private_key"])
        if group_key.group in keyring:
            made[group_key.group] = pair.private
    rotation.started_by, rotation.started_at = by, timezone.now()
    rotation.save(update_fields=["started_by", "started_at"])
    log.record(Action.KEY_ROTATION_STARTED, log.staff_actor(by), programme_id=programme.pk)
    return made


@dataclass(frozen=True)
class Progress:
    """What is left to re-seal in each group, and of each group's case keys how many are
    done out of how many."""

    remaining: dict[str, int]
    cases_done: dict[str, int]
    cases_total: dict[str, int]

    @property
    def complete(self) -> bool:
        return not any(self.remaining.values())

    def left_in(self, groups: set[str] | frozenset[str]) -> list[str]:
        return [group for group in GROUPS if group in groups and self.remaining.get(group)]


def progress(programme: Programme) -> Progress:
    keys = CaseKey.objects.filter(case__programme=programme)
    remaining = {group: 0 for group in GROUPS}
    cases_done = {group: 0 for group in CASE_KEY_GROUPS}
    cases_total = {group: 0 for group in CASE_KEY_GROUPS}
    for group, left in _count_by_group(keys.filter(sealed_next__isnull=True)):
        remaining[group] += left
        cases_total[group] += left
    for group, done in _count_by_group(keys.exclude(sealed_next=None)):
        cases_done[group] = done
        cases_total[group] += done
    remaining["notes"] += Note.objects.filter(
        case__programme=programme, body_next__isnull=True
    ).count()
    remaining["notes"] += SignIn.objects.filter(
        case__programme=programme, for_staff_next__isnull=True
    ).count()
    for kind, left in _count_by_group(
        BlindIndex.objects.filter(programme=programme, digest_next__isnull=True), field="kind"
    ):
        remaining[INDEX_GROUP[kind]] += left
    for _receiver, counts in rotation_remaining.send(sender=Programme, programme_id=programme.pk):
        for group, left in cast(dict[str, int], counts).items():
            remaining[group] += left
    return Progress(remaining, cases_done, cases_total)


def _count_by_group(rows: QuerySet[Any], field: str = "group") -> list[tuple[str, int]]:
    return list(rows.values_list(field).annotate(n=Count("pk")).values_list(field, "n"))


def _next_publics(programme: Programme, old: Keyring, new: Keyring) -> dict[str, bytes]:
    """The groups this session can re-seal (it holds both keys), with their next public keys."""
    if not programme.rotating:
        raise RotationRefused(_("No key rotation is under way."))
    _current(programme, old)
    publics = {}
    for group, key in new.items():
        next_public = programme.group_keys()[group].next_public_key
        if group in old and next_public is not None:
            if bytes(PrivateKey(key).public_key) != bytes(next_public):
                raise RotationRefused(_("Sign in again: your session holds an older key."))
            publics[group] = bytes(next_public)
    return publics


def step(programme: Programme, *, old: Keyring, new: Keyring, limit: int | None = None) -> Progress:
    """Re-seal the next batch of every group the session holds both keys of; one transaction
    per batch."""
    publics = _next_publics(programme, old, new)
    limit = limit or BATCH
    with transaction.atomic():
        for group, new_public in publics.items():
            old_public = bytes(PrivateKey(old[group]).public_key)
            waiting = (
                CaseKey.objects.select_for_update()
                .filter(case__programme=programme, group=group, sealed_next__isnull=True)
                .order_by("pk")[:limit]
            )
            for case_key in waiting:
                _renew(case_key, old[group], old_public, new_public)
            if group == "notes":
                notes = Note.objects.filter(case__programme=programme, body_next__isnull=True)
                for note in notes.order_by("pk")[:limit]:
                    body = crypto.unseal(old[group], bytes(note.body))
                    Note.objects.filter(pk=note.pk).update(body_next=crypto.seal(new_public, body))
                unread = SignIn.objects.filter(
                    case__programme=programme, for_staff_next__isnull=True
                )
                for sign_in in unread.order_by("pk")[:limit]:
                    kind = crypto.unseal(old[group], bytes(sign_in.for_staff))
                    SignIn.objects.filter(pk=sign_in.pk).update(
                        for_staff_next=crypto.seal(new_public, kind)
                    )
            _index_again(programme, group, old[group], new[group], limit)
            rotation_step.send(
                sender=Programme,
                programme_id=programme.pk,
                group=group,
                old_key=old[group],
                new_public=new_public,
                limit=limit,
            )
    return progress(programme)


def _renew(case_key: CaseKey, old_key: bytes, old_public: bytes, new_public: bytes) -> None:
    """One case's data key of a group: a new one, its texts encrypted again under it and
    sealed to both the current and the next group key (readers go on meanwhile), so that
    whoever opened the old data key reads nothing written after the rotation. Where the
    key cannot be renewed (dossier.renewable) it is only sealed to the next group key."""
    data_key = crypto.unseal(old_key, bytes(case_key.sealed))
    if not dossier.renewable(case_key.case_id, case_key.group):
        CaseKey.objects.filter(pk=case_key.pk).update(sealed_next=crypto.seal(new_public, data_key))
        return
    new_data_key = crypto.new_data_key()
    dossier.encrypt_again(case_key.case_id, case_key.group, data_key, new_data_key)
    CaseKey.objects.filter(pk=case_key.pk).update(
        sealed=crypto.seal(old_public, new_data_key),
        sealed_next=crypto.seal(new_public, new_data_key),
    )


def _index_again(
    programme: Programme, group: str, old_key: bytes, new_key: bytes, limit: int
) -> None:
    """Blind indexes keyed by `group`, under its new key, for every case that lacks them."""
    kinds = [kind for kind, keyed_by in INDEX_GROUP.items() if keyed_by == group]
    if not kinds:
        return
    case_ids = list(
        BlindIndex.objects.filter(programme=programme, kind__in=kinds, digest_next__isnull=True)
        .values_list("case_id", flat=True)
        .distinct()[:limit]
    )
    read = identities_of if group == "identity" else circumstances_of
    cases = list(Case.objects.filter(pk__in=case_ids, shredded_at__isnull=True))
    answers = read(cases, {group: old_key})
    for case in cases:
        digests = digests_of(answers[case.pk], {group: new_key})
        for kind, digest in digests.items():
            BlindIndex.objects.filter(case=case, kind=kind).update(digest_next=digest)


@transaction.atomic
def finish(programme: Programme, *, by: User) -> None:
    """Make the new keys the programme's, in one transaction, once every group is done."""
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    if not programme.rotating:
        raise RotationRefused(_("No key rotation is under way."))
    if not progress(programme).complete:
        raise RotationRefused(_("Some keys are not re-sealed yet."))
    _promote(programme)
    grants = KeyGrant.objects.filter(programme=programme, group__in=ROTATED_GROUPS)
    grants.filter(next_sealed_private_key__isnull=True).delete()
    grants.update(sealed_private_key=F("next_sealed_private_key"), next_sealed_private_key=None)
    GroupKey.objects.filter(programme=programme, group__in=ROTATED_GROUPS).update(
        public_key=F("next_public_key"), next_public_key=None
    )
    Programme.objects.filter(pk=programme.pk).update(key_generation=F("key_generation") + 1)
    # A link that carried the old keys would hand out keys that open nothing new.
    Invitation.objects.filter(programme=programme).update(wrapped_programme_key=None)
    KeyRotation.objects.filter(programme=programme, finished_at__isnull=True).update(
        finished_at=timezone.now()
    )
    log.record(Action.KEY_ROTATION_FINISHED, log.staff_actor(by), programme_id=programme.pk)


def _promote(programme: Programme) -> None:
    CaseKey.objects.filter(case__programme=programme).exclude(sealed_next=None).update(
        sealed=F("sealed_next"), sealed_next=None
    )
    Note.objects.filter(case__programme=programme).exclude(body_next=None).update(
        body=F("body_next"), body_next=None
    )
    SignIn.objects.filter(case__programme=programme).exclude(for_staff_next=None).update(
        for_staff=F("for_staff_next"), for_staff_next=None
    )
    BlindIndex.objects.filter(programme=programme).exclude(digest_next=None).update(
        digest=F("digest_next"), digest_next=None
    )
    rotation_finished.send(sender=Programme, programme_id=programme.pk)


def promote_stragglers() -> None:
    """Run by the worker: what was sealed to both keys as a rotation finished is promoted.
    No key needed (it only moves columns); nothing happens while a rotation is under way."""
    rotating = GroupKey.objects.filter(next_public_key__isnull=False).values("programme_id")
    for programme in Programme.objects.exclude(pk__in=rotating):
        with transaction.atomic():
            _promote(programme)
