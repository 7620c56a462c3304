"""Appending to and verifying the audit log.

Entries hold no personal data: an actor reference, an action name, a case reference and
non-identifying details (states, field groups, counts).
"""

import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any, Protocol

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from safepassage.audit.models import AuditEvent, AuditHead

GENESIS = "0" * 64


def staff_actor(user: Any) -> str:
    return f"staff:{user.pk}"


APPLICANT = "applicant"
SYSTEM = "system"


def _mac(*parts: Any) -> str:
    message = json.dumps(parts, sort_keys=True, separators=(",", ":"), default=str)
    return hmac.new(settings.AUDIT_KEY, message.encode(), hashlib.sha256).hexdigest()


def _entry_mac(event: AuditEvent) -> str:
    return _mac(
        event.prev_mac,
        event.seq,
        event.at.isoformat(),
        event.programme_id_ref,
        event.actor,
        event.action,
        event.case_ref,
        event.detail,
    )


def _head_mac(head: AuditHead) -> str:
    return _mac("head", head.seq, head.mac)


def record(
    action: str,
    actor: str,
    *,
    programme_id: int | None = None,
    case_ref: str = "",
    **detail: Any,
) -> AuditEvent:
    """Append one event. Runs inside the caller's transaction, so an action and its audit
    entry are committed together or not at all."""
    with transaction.atomic():
        head, _ = AuditHead.objects.select_for_update().get_or_create(pk=1)
        event = AuditEvent(
            seq=head.seq + 1,
            at=timezone.now(),
            programme_id_ref=programme_id,
            actor=actor,
            action=action,
            case_ref=case_ref,
            detail=json.loads(json.dumps(detail, default=str)),
            prev_mac=head.mac or GENESIS,
        )
        event.mac = _entry_mac(event)
        event.save(force_insert=True)
        head.seq, head.mac = event.seq, event.mac
        head.head_mac = _head_mac(head)
        head.save()
    return event


class CaseLike(Protocol):
    programme_id: int
    reference: str


def record_case(case: CaseLike, action: str, actor: str, **detail: Any) -> AuditEvent:
    """An event about one case: its programme and reference, never its contents."""
    return record(action, actor, programme_id=case.programme_id, case_ref=case.reference, **detail)


@dataclass(frozen=True)
class Problem:
    seq: int
    what: str

    def __str__(self) -> str:
        return f"entry {self.seq}: {self.what}"


def verify() -> list[Problem]:
    """Every altered, removed or inserted entry, in order; an empty list means intact."""
    problems: list[Problem] = []
    expected_seq, prev_mac = 1, GENESIS
    for event in AuditEvent.objects.order_by("seq").iterator(chunk_size=2000):
        if event.seq != expected_seq:
            problems.append(Problem(expected_seq, f"missing up to {event.seq - 1}"))
        if event.prev_mac != prev_mac:
            problems.append(Problem(event.seq, "does not follow the entry before it"))
        if not hmac.compare_digest(event.mac, _entry_mac(event)):
            problems.append(Problem(event.seq, "altered"))
        expected_seq, prev_mac = event.seq + 1, event.mac
    head = AuditHead.objects.filter(pk=1).first()
    last_seq = expected_seq - 1
    if head is None:
        if last_seq:
            problems.append(Problem(last_seq, "chain head is missing"))
    elif not hmac.compare_digest(head.head_mac, _head_mac(head)):
        problems.append(Problem(head.seq, "chain head altered"))
    elif head.seq != last_seq or head.mac != (prev_mac if last_seq else head.mac):
        problems.append(Problem(head.seq, f"entries after {last_seq} removed"))
    return problems
