"""Rotating a programme's key (issue #17): after someone leaves, or on schedule.

An admin asks for it (`request`); a key holder carries it out from his own session, which
holds the old key (`start`, `step`, `finish`):

- `start` makes a new key pair in that request. Its private half is never stored unsealed:
  it is sealed to every key holder's own public key (beside his grant) and kept in the
  rotating session, sealed under its cookie like every staff key. From then on everything
  newly sealed to the programme is sealed to both keys (`Programme.seal`), so new cases use
  the new key at once.
- `step` re-seals, in bounded batches driven by the key holder's page (progress shown), each
  case's data key, its notes, its blind indexes (computed again under the new key, so the
  old key cannot test guesses against them) and, through `rotation_step`, what passage
  sealed (crossing plans, unit keys), into the `…_next` columns beside the current ones.
  Readers go on using the old key meanwhile: nothing changes for them.
- `finish` promotes every `…_next` column in one transaction, makes the new key current
  (the generation moves on, so a session holding the old key is sent to sign in again), and
  replaces each grant with its next one; the old grants are gone. A copy of the database
  plus the old private key then opens no case.

A write that raced the finish (sealed to both keys a moment before) is promoted by the
worker (`promote_stragglers`), which needs no key: it only moves columns.
"""

from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _
from nacl.public import PrivateKey

from safepassage.audit import log
from safepassage.audit.actions import Action
from safepassage.cases.models import BlindIndex, Case, Note
from safepassage.cases.probes import digests_of
from safepassage.programmes.models import Invitation, KeyGrant, KeyRotation, Programme, StaffKey
from safepassage.refused import Refused
from safepassage.vault import crypto

BATCH = 1000

# Apps that seal things to the programme key re-seal them too (passage: plans, unit keys).
rotation_started = Signal()  # programme_id, old_key, new_public
rotation_step = Signal()  # programme_id, old_key, new_public, limit; receivers return a count
rotation_finished = Signal()  # programme_id: promote the _next columns


class RotationRefused(Refused):
    """The rotation cannot go on as asked; `reason` is safe to show."""


def open_rotation(programme: Programme) -> KeyRotation | None:
    return KeyRotation.objects.filter(programme=programme, finished_at__isnull=True).first()


@transaction.atomic
def request(programme: Programme, *, by: User) -> KeyRotation:
    """The admin's decision: the key is to be rotated; a key holder carries it out."""
    rotation = open_rotation(programme)
    if rotation is None:
        rotation = KeyRotation.objects.create(programme=programme, requested_by=by)
        log.record(Action.KEY_ROTATION_REQUESTED, log.staff_actor(by), programme_id=programme.pk)
    return rotation


@transaction.atomic
def start(programme: Programme, *, by: User, old_key: bytes) -> bytes:
    """Make the next key pair and seal it to every key holder; returns its private half for
    the rotating session only."""
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    rotation = open_rotation(programme)
    if rotation is None:
        raise RotationRefused(_("No key rotation has been asked for."))
    if programme.next_public_key is not None:
        raise RotationRefused(_("This rotation has already begun."))
    if bytes(PrivateKey(old_key).public_key) != bytes(programme.public_key):
        raise RotationRefused(_("Sign in again: your session holds an older key."))
    pair = crypto.new_keypair()
    programme.next_public_key = pair.public
    programme.save(update_fields=["next_public_key"])
    publics = dict(StaffKey.objects.values_list("user_id", "public_key"))
    for grant in KeyGrant.objects.filter(programme=programme, user_id__in=publics):
        grant.next_sealed_private_key = crypto.seal(bytes(publics[grant.user_id]), pair.private)
        grant.save(update_fields=["next_sealed_private_key"])
    rotation_started.send(
        sender=Programme, programme_id=programme.pk, old_key=old_key, new_public=pair.public
    )
    rotation.started_by, rotation.started_at = by, timezone.now()
    rotation.save(update_fields=["started_by", "started_at"])
    log.record(Action.KEY_ROTATION_STARTED, log.staff_actor(by), programme_id=programme.pk)
    return pair.private


@dataclass(frozen=True)
class Progress:
    done: int
    total: int

    @property
    def complete(self) -> bool:
        return self.done >= self.total


def progress(programme: Programme) -> Progress:
    cases = Case.objects.filter(programme=programme, sealed_key__isnull=False)
    return Progress(cases.exclude(sealed_key_next=None).count(), cases.count())


def _check(programme: Programme, old_key: bytes, new_key: bytes) -> bytes:
    if programme.next_public_key is None:
        raise RotationRefused(_("No key rotation is under way."))
    if bytes(PrivateKey(new_key).public_key) != bytes(programme.next_public_key):
        raise RotationRefused(_("Sign in again: your session holds an older key."))
    return bytes(programme.next_public_key)


def step(
    programme: Programme, *, old_key: bytes, new_key: bytes, limit: int | None = None
) -> Progress:
    """Re-seal the next batch of cases (with their notes and blind indexes) and of what other
    apps sealed; one transaction per batch."""
    new_public = _check(programme, old_key, new_key)
    limit = limit or BATCH
    with transaction.atomic():
        waiting = Case.objects.filter(
            programme=programme, sealed_key__isnull=False, sealed_key_next__isnull=True
        ).order_by("pk")[:limit]
        for case in waiting:
            data_key = crypto.unseal(old_key, bytes(case.sealed_key or b""))
            Case.objects.filter(pk=case.pk).update(
                sealed_key_next=crypto.seal(new_public, data_key)
            )
            for note in Note.objects.filter(case=case, body_next__isnull=True):
                body = crypto.unseal(old_key, bytes(note.body))
                note.body_next = crypto.seal(new_public, body)
                note.save(update_fields=["body_next"])
        _index_again(programme, old_key, new_key, limit)
        rotation_step.send(
            sender=Programme,
            programme_id=programme.pk,
            old_key=old_key,
            new_public=new_public,
            limit=limit,
        )
    return progress(programme)


def _index_again(programme: Programme, old_key: bytes, new_key: bytes, limit: int) -> None:
    """Blind indexes under the new key, for every indexed case that lacks them."""
    case_ids = list(
        BlindIndex.objects.filter(programme=programme, digest_next__isnull=True)
        .values_list("case_id", flat=True)
        .distinct()[:limit]
    )
    for case in Case.objects.filter(pk__in=case_ids, sealed_key__isnull=False):
        data_key = crypto.unseal(old_key, bytes(case.sealed_key or b""))
        digests = digests_of(crypto.decrypt_json(data_key, case.dossier), new_key)
        for kind, digest in digests.items():
            BlindIndex.objects.filter(case=case, kind=kind).update(digest_next=digest)


@transaction.atomic
def finish(programme: Programme, *, by: User, old_key: bytes, new_key: bytes) -> None:
    """Re-seal what is left, then make the new key the programme's, in one transaction."""
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    _check(programme, old_key, new_key)
    while not step(programme, old_key=old_key, new_key=new_key).complete:
        pass
    _index_again(programme, old_key, new_key, limit=10**9)
    _promote(programme)
    KeyGrant.objects.filter(programme=programme, next_sealed_private_key__isnull=True).delete()
    KeyGrant.objects.filter(programme=programme).update(
        sealed_private_key=F("next_sealed_private_key"), next_sealed_private_key=None
    )
    Programme.objects.filter(pk=programme.pk).update(
        public_key=F("next_public_key"),
        next_public_key=None,
        key_generation=F("key_generation") + 1,
    )
    # A link that carried the old key would hand out a key that opens nothing new.
    Invitation.objects.filter(programme=programme).update(wrapped_programme_key=None)
    KeyRotation.objects.filter(programme=programme, finished_at__isnull=True).update(
        finished_at=timezone.now()
    )
    log.record(Action.KEY_ROTATION_FINISHED, log.staff_actor(by), programme_id=programme.pk)


def _promote(programme: Programme) -> None:
    Case.objects.filter(programme=programme).exclude(sealed_key_next=None).update(
        sealed_key=F("sealed_key_next"), sealed_key_next=None
    )
    Note.objects.filter(case__programme=programme).exclude(body_next=None).update(
        body=F("body_next"), body_next=None
    )
    BlindIndex.objects.filter(programme=programme).exclude(digest_next=None).update(
        digest=F("digest_next"), digest_next=None
    )
    rotation_finished.send(sender=Programme, programme_id=programme.pk)


def promote_stragglers() -> None:
    """Run by the worker: what was sealed to both keys as a rotation finished is promoted.
    No key needed (it only moves columns); nothing happens while a rotation is under way."""
    for programme in Programme.objects.filter(next_public_key__isnull=True):
        with transaction.atomic():
            _promote(programme)
