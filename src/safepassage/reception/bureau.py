"""The information-bureau export (GC III Art. 122): the programme's registered prisoners, all
or only those new or changed since the last export in the same format, as the document
`export.py` defines. Recorded and audited with the export."""

from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from safepassage.audit import log
from safepassage.audit.actions import Action
from safepassage.cases import dossier
from safepassage.programmes.groupkeys import Keyring
from safepassage.programmes.models import Programme
from safepassage.reception import export
from safepassage.reception.models import BureauExport, CustodyEvent, Prisoner
from safepassage.reception.particulars import FIELDS
from safepassage.reception.services import local_day
from safepassage.vault import crypto


def last_export(programme: Programme, fmt: str) -> BureauExport | None:
    return (
        BureauExport.objects.filter(programme=programme, format=fmt)
        .order_by("-exported_at")
        .first()
    )


def _registered(programme: Programme, since: datetime | None) -> QuerySet[Prisoner]:
    """Registered prisoners; with `since`, only those registered, corrected, whose card went
    out or who had a later event after it."""
    prisoners = Prisoner.objects.filter(case__programme=programme, registered_at__isnull=False)
    if since is None:
        return prisoners
    return prisoners.filter(
        Q(changed_at__gt=since)
        | Q(card_sent_at__gt=since)
        | Exists(CustodyEvent.objects.filter(prisoner=OuterRef("pk"), recorded_at__gt=since))
    )


def bureau_export(
    programme: Programme,
    *,
    only_new: bool,
    fmt: str,
    user: User,
    keyring: Keyring,
    now: datetime | None = None,
) -> dict[str, Any]:
    """The bureau document for the programme's registered prisoners: all, or only those new
    or changed since the last export in the same format. Recorded and audited."""
    now = now or timezone.now()
    previous = last_export(programme, fmt) if only_new else None
    chosen = _registered(programme, previous.exported_at if previous else None)
    with transaction.atomic():
        prisoners = list(
            Prisoner.objects.filter(pk__in=chosen.values("pk"))
            .select_related("case")
            .prefetch_related("events")
            .order_by("captured_at", "pk")
        )
        records = []
        for prisoner in prisoners:
            key = dossier.case_key(prisoner.case, keyring, "custody")
            if key is None or prisoner.particulars is None or prisoner.registered_at is None:
                continue  # shredded under the retention rules: nothing left to forward
            records.append(_bureau_record(prisoner, key))
        doc = export.document(programme.slug, records, now)
        BureauExport.objects.create(
            programme=programme, format=fmt, exported_at=now, prisoners=len(records)
        )
        log.record(
            Action.RECEPTION_BUREAU_EXPORT,
            log.staff_actor(user),
            programme_id=programme.pk,
            prisoners=len(records),
            only_new=only_new,
            format=fmt,
        )
    return doc


def _bureau_record(prisoner: Prisoner, key: bytes) -> dict[str, Any]:
    assert prisoner.particulars is not None
    assert prisoner.registered_at is not None
    p = crypto.decrypt_json(key, prisoner.particulars)
    record: dict[str, Any] = {name: p.get(name) or None for name in FIELDS}
    record.update(
        reference=prisoner.case.reference,
        language=p.get("language") or settings.LANGUAGE_CODE,
        refused=p.get("refused", []),
        captured_on=local_day(prisoner.captured_at).isoformat(),
        registered_on=local_day(prisoner.registered_at).isoformat(),
        card_sent_on=local_day(prisoner.card_sent_at).isoformat()
        if prisoner.card_sent_at
        else None,
        events=[_bureau_event(key, e) for e in prisoner.events.all()],
    )
    return record


def _bureau_event(key: bytes, event: CustodyEvent) -> dict[str, Any]:
    """An event for the bureau (ISO dates, the schema's names); `corrects` names the earlier
    event it replaces, which the bureau should disregard."""
    text = crypto.decrypt_json(key, event.details)
    shown = {
        "kind": event.kind,
        "date": event.occurred_on.isoformat(),
        "place": text.get("place") or None,
        "details": text.get("details") or None,
    }
    if event.corrects is not None:
        shown["corrects"] = {
            "kind": event.corrects.kind,
            "date": event.corrects.occurred_on.isoformat(),
        }
    return shown


def _day_of(moment: datetime | None) -> date | None:
    return local_day(moment) if moment else None
