"""Retention: crypto-shredding a case, and the daily job that shreds the cases that ended
long enough ago."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from safepassage.audit import log
from safepassage.audit.actions import Action
from safepassage.cases.models import BlindIndex, Case, Codename, Message, Note
from safepassage.cases.states import ENDED


def shred_expired(now: datetime, *, days: int | None = None) -> int:
    """Retention: crypto-shred every case that ended more than `days` ago (default
    RETENTION_DAYS). Run daily by the worker; returns how many were shredded."""
    cutoff = now - timedelta(days=settings.RETENTION_DAYS if days is None else days)
    due = Case.objects.filter(state__in=ENDED, ended_at__lt=cutoff, sealed_key__isnull=False).only(
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
        Case.objects.filter(pk=case.pk).update(
            sealed_key=None, dossier=b"", receipt=None, shredded_at=timezone.now()
        )
        log.record_case(case, Action.CASE_SHREDDED, actor)
