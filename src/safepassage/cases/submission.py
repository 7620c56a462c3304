"""Applying: an application stored durably with its codename, once per form, and the
receipt that shows the codename again for a short while."""

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from hashlib import blake2b
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from safepassage.cases import dossier, sign_ins, transitions
from safepassage.cases.messages import new_message
from safepassage.cases.models import Case, Codename, Message
from safepassage.lib import fast_insert
from safepassage.programmes.models import Programme
from safepassage.vault import codenames, crypto

RECEIPT_LIFETIME = timedelta(minutes=30)
REFERENCE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I


def _token_digest(token: str, person: bytes, key: bytes = b"") -> bytes:
    return blake2b(token.encode(), key=key, person=person, digest_size=32).digest()


def new_reference() -> str:
    raw = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"{raw[:4]}-{raw[4:]}"


def new_submission_token() -> str:
    return secrets.token_urlsafe(32)


@dataclass(frozen=True)
class Receipt:
    """What the applicant is shown after submitting. `codename` is None when the form had
    already been submitted and the codename can no longer be shown."""

    codename: str | None
    created: bool


def _replay(submission_hash: bytes, receipt_key: bytes, programme: Programme) -> Receipt:
    case = Case.objects.only("programme_id", "receipt", "receipt_expires").get(
        submission_hash=submission_hash
    )
    if (
        case.programme_id != programme.pk
        or case.receipt is None
        or case.receipt_expires is None
        or case.receipt_expires < timezone.now()
    ):
        return Receipt(codename=None, created=False)
    try:
        return Receipt(crypto.decrypt_bytes(receipt_key, case.receipt).decode(), created=False)
    except crypto.DecryptionError:
        return Receipt(codename=None, created=False)


def case_of_token(token: str) -> Case | None:
    """The case the form with this token created (for a staff channel that goes on with it)."""
    return Case.objects.filter(submission_hash=_token_digest(token, b"sp-submission")).first()


def receipt_for(token: str, programme: Programme, *, binding: bytes) -> Receipt:
    """The codename of the application sent with this form token, while its receipt lasts:
    the codename page can be shown again (in another language, after a reload). Only to the
    channel session that sent it (`binding`, a key only it can derive) and only under its
    programme: the same token posted from elsewhere learns nothing (issue #16)."""
    try:
        return _replay(
            _token_digest(token, b"sp-submission"),
            _token_digest(token, b"sp-receipt", binding),
            programme,
        )
    except Case.DoesNotExist:
        return Receipt(codename=None, created=False)


def submit_application(
    programme: Programme,
    answers: dict[str, Any],
    *,
    token: str,
    language: str,
    wants_to_apply: bool,
    first_message: str = "",
    also: Callable[[], None] | None = None,
    binding: bytes = b"",
    channel: str = Case.Channel.WEB,
    campaign_id: int | None = None,
) -> Receipt:
    """Store an application durably and return its codename. The same token twice makes one
    case; the second call returns the same codename while the receipt lasts, if it comes
    from the same channel session (`binding`) and programme. `also` runs
    inside the same transaction (the web keeps the receipt in its session there: one write,
    not two, while every application queues for SQLite's single writer)."""
    submission_hash = _token_digest(token, b"sp-submission")
    receipt_key = _token_digest(token, b"sp-receipt", binding)
    codename = codenames.generate(language)
    # Everything is encrypted before the transaction starts: on SQLite one writer at a time
    # holds the lock, and a burst of applications queues behind it.
    data_keys, case_keys = dossier.new_case_keys(programme)
    circumstances, identity = dossier.seal_dossier(data_keys, {**answers, "language": language})
    # He reads and writes his own messages (and his crossing's instructions): his codename
    # opens that group's key and no other.
    data_key = data_keys["messages"]
    case = Case(
        programme=programme,
        dossier=circumstances,
        identity=identity,
        submission_hash=submission_hash,
        receipt=crypto.encrypt_bytes(receipt_key, codename.encode()),
        awaiting_reply=bool(first_message),
        awaiting_since=timezone.now() if first_message else None,
        channel=channel,
        campaign_sealed=Case.sealed_campaign(campaign_id),
    )
    case.applicant_public_key, case.applicant_private_key = sign_ins.new_applicant_keys(data_key)
    notebook_key = codenames.new_notebook_key()
    credential = Codename(
        lookup_hash=codenames.lookup_hash(codename),
        wrapped_key=codenames.seal_credential(codename, data_key),
        notebook=codenames.seal_notebook(notebook_key, {}),
        notebook_key=codenames.wrap_notebook_key(data_key, notebook_key),
    )
    message = (
        new_message(data_key, Message.Sender.APPLICANT, first_message) if first_message else None
    )
    for _attempt in range(3):
        case.pk, case.reference = None, new_reference()
        case.receipt_expires = timezone.now() + RECEIPT_LIFETIME
        try:
            with transaction.atomic():
                transitions.create_case(
                    case,
                    action="apply" if wants_to_apply else "",
                    roles=transitions.APPLICANT_ROLES,
                    actor=transitions.APPLICANT,
                )
                for case_key in case_keys:
                    case_key.case = case
                fast_insert.insert_all(case_keys)
                credential.case = case
                fast_insert.insert(credential)
                if message is not None:
                    message.case = case
                    fast_insert.insert(message)
                if also is not None:
                    also()
            return Receipt(codename=codename, created=True)
        except IntegrityError:
            # The same form sent twice (the first one won), or a reference drawn twice.
            if Case.objects.filter(submission_hash=submission_hash).exists():
                return _replay(submission_hash, receipt_key, programme)
    raise IntegrityError("no free case reference after three draws")


def wipe_expired_receipts(now: datetime) -> int:
    """Remove the codename receipts that can no longer be shown (`_replay` refuses them from
    the moment they expire). Run by the worker, off the path of a burst of applications."""
    return Case.objects.filter(receipt_expires__lt=now).update(receipt=None, receipt_expires=None)
