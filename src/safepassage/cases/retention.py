"""Retention: crypto-shredding a case, and the daily job that shreds the cases that ended
long enough ago.

Other apps hold pieces of a case too (its crossing plan, its applicant's web sessions): they
receive `case_shredded` inside the shredding transaction and destroy theirs, so `cases`
needs to know none of them."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.dispatch import Signal
from django.utils import timezone

from safepassage.audit import log
from safepassage.audit.actions import Action
from safepassage.cases.models import BlindIndex, Case, CaseKey, Codename, Message, Note
from safepassage.cases.states import ENDED

# Sent with `case_id` inside the transaction that shreds the case.
case_shredded = Signal()


def shred_expired(now: datetime, *, days: int | None = None) -> int:
    """Retention: crypto-shred every case that ended more than `days` ago (default
    RETENTION_DAYS). Run daily by the worker; returns how many were shredded."""
    cutoff = now - timedelta(days=settings.RETENTION_DAYS if days is None else days)
    due = Case.objects.filter(state__in=ENDED, ended_at__lt=cutoff, shredded_at__isnull=True).only(
        "pk", "programme_id", "reference"
    )
    count = 0
    for case in due.iterator(chunk_size=500):
        shred(case, actor=log.SYSTEM)
        count += 1
    return count


def shred(case: Case, *, actor: str) -> None:
    """Crypto-shredding: destroy every key and sealed text of the case. Its state still counts
    and its audit entries stay, but nothing of the person can be read again."""
    with transaction.atomic():
        Codename.objects.filter(case=case).delete()
        Note.objects.filter(case=case).delete()
        Message.objects.filter(case=case).update(body=b"")
        BlindIndex.objects.filter(case=case).delete()
        CaseKey.objects.filter(case=case).delete()
        Case.objects.filter(pk=case.pk).update(
            sealed_key=None, dossier=b"", identity=b"", receipt=None, shredded_at=timezone.now()
        )
        case_shredded.send(sender=Case, case_id=case.pk)
        log.record_case(case, Action.CASE_SHREDDED, actor)
    flush_the_journal()


def flush_the_journal() -> None:
    """SQLite keeps overwritten pages in its write-ahead log until a checkpoint, and (without
    secure_delete, which the connection sets) freed pages in the file: the shredded bytes are
    moved out of the log at once, and the log truncated."""
    if connection.vendor == "sqlite" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
