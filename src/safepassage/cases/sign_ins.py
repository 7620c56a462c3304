"""Every codename sign-in leaves the same trace, real or under duress (issue #22, point 1).

A sign-in writes one audit entry (`applicant.entered`, by the applicant), one `SignIn` row of
one size, and its credential's notebook sealed again. Whether it was a duress sign-in is
sealed twice, and nothing else says it: to the programme's notes key, for the verifiers and
the coordinator, and to the case's own key pair, whose private half only his real codename
opens. So whoever forced the sign-in finds the same rows, the same audit entry and the same
moment in a copy of the database or on the admin's audit page.

A key holder's session reads the new sign-ins (`read_new`, a bounded step on the staff home
and the queue) and deletes every row it read, whatever its kind; a duress sign-in then becomes
the case's duress signal, which holds his instructions back and stands on the verifiers' and
the coordinator's attention lists. His real session reads his own rows (`duress_pending`): from
the first page after the duress sign-in he is told that his crossing is on hold, until a
verifier clears the signal or the coordinator keeps the crossing.
"""

import json
import secrets

from django.contrib.auth.models import User
from django.db import transaction

from safepassage.audit import log
from safepassage.audit.actions import Action
from safepassage.cases.models import Case, ProbeSignal, SignIn
from safepassage.programmes.groupkeys import Keyring
from safepassage.programmes.models import Programme
from safepassage.vault import crypto

PAYLOAD_BYTES = 64  # what is sealed: the kind and a nonce, padded to one length


def _payload(duress: bool) -> bytes:
    text = json.dumps({"duress": duress, "nonce": secrets.token_hex(8)})
    return text.encode().ljust(PAYLOAD_BYTES, b" ")


def _is_duress(payload: bytes) -> bool:
    try:
        return json.loads(payload.decode()).get("duress") is True
    except (UnicodeDecodeError, ValueError, AttributeError):
        return False


def new_applicant_keys(messages_key: bytes) -> tuple[bytes, bytes]:
    """(public, private under the messages key): a new case's own key pair."""
    pair = crypto.new_keypair()
    return pair.public, crypto.encrypt_bytes(messages_key, pair.private)


def record(case: Case, *, duress: bool) -> None:
    """The sign-in's row and audit entry, in the caller's transaction; the same for both kinds.
    A case from before its own key pair gets a row sealed to a key nobody holds, of the same
    size, so its sign-ins too all look alike."""
    payload = _payload(duress)
    for_staff, for_staff_next = case.programme.seal("notes", payload)
    public = case.applicant_public_key or crypto.new_keypair().public
    SignIn.objects.create(
        case=case,
        for_staff=for_staff,
        for_staff_next=for_staff_next,
        for_applicant=crypto.seal(bytes(public), payload),
    )
    log.record_case(case, Action.APPLICANT_ENTERED, log.APPLICANT)


def read_new(programme: Programme, keyring: Keyring, *, user: User, limit: int = 200) -> int:
    """In a session holding the notes key: read the programme's new sign-ins, raise the duress
    signal of each duress one, and delete them all (read rows of either kind go alike).
    Returns how many were read."""
    private = keyring.get("notes")
    if private is None:
        return 0
    with transaction.atomic():
        rows = list(
            SignIn.objects.select_for_update()
            .filter(case__programme=programme)
            .select_related("case")
            .order_by("pk")[:limit]
        )
        if not rows:
            return 0
        for row in rows:
            try:
                payload = crypto.unseal(private, bytes(row.for_staff))
            except crypto.DecryptionError:
                continue  # sealed to a key this session no longer holds; another reads it
            if _is_duress(payload):
                _raise_duress_signal(row.case)
        SignIn.objects.filter(pk__in=[row.pk for row in rows]).delete()
        log.record(
            Action.SIGN_INS_READ,
            log.staff_actor(user),
            programme_id=programme.pk,
            count=len(rows),
        )
    return len(rows)


def _raise_duress_signal(case: Case) -> None:
    _signal, created = ProbeSignal.objects.get_or_create(
        case=case, kind=ProbeSignal.Kind.DURESS, cleared_at__isnull=True
    )
    if created:
        Case.objects.filter(pk=case.pk).update(probe_flagged=True)


def crossing_on_hold(case: Case, messages_key: bytes) -> bool:
    """In his real session: a duress sign-in of his that no key holder has read yet, or an
    open duress signal on his case. Either way his crossing is on hold."""
    if case.probe_signals.filter(kind=ProbeSignal.Kind.DURESS, cleared_at__isnull=True).exists():
        return True
    if case.applicant_private_key is None:
        return False
    try:
        private = crypto.decrypt_bytes(messages_key, bytes(case.applicant_private_key))
    except crypto.DecryptionError:
        return False
    for sealed in case.sign_ins.values_list("for_applicant", flat=True):
        try:
            if _is_duress(crypto.unseal(private, bytes(sealed))):
                return True
        except crypto.DecryptionError:
            continue
    return False
