"""Appending to and verifying the audit log.

Entries hold no personal data: an actor reference, an action name, a case reference and
non-identifying details (states, field groups, counts).
"""

import hashlib
import hmac
import json
from dataclasses import dataclass
from functools import cache
from typing import Any, Protocol

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from safepassage.audit.actions import Action, CaseMove
from safepassage.audit.models import AuditEvent, AuditHead
from safepassage.lib import fast_insert

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
    action: Action | CaseMove,
    actor: str,
    *,
    programme_id: int | None = None,
    case_ref: str = "",
    **detail: Any,
) -> AuditEvent:
    """Append one event. Runs inside the caller's transaction, so an action and its audit
    entry are committed together or not at all (no savepoint: a failure here must fail the
    caller's whole transaction)."""
    return _append(actor, programme_id, case_ref, [(action, detail)])[0]


def _append(
    actor: str,
    programme_id: int | None,
    case_ref: str,
    steps: list[tuple[Action | CaseMove, dict[str, Any]]],
) -> list[AuditEvent]:
    """Append events in order, with the chain's head locked and moved once for all of them."""
    at = timezone.now()
    events: list[AuditEvent] = []
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        seq, prev_mac = _lock_head(cursor)
        for action, detail in steps:
            seq += 1
            event = AuditEvent(
                seq=seq,
                at=at,
                programme_id_ref=programme_id,
                actor=actor,
                action=str(action),  # the stored name, not the enum
                case_ref=case_ref,
                detail=json.loads(json.dumps(detail, default=str)),
                prev_mac=prev_mac or GENESIS,
            )
            event.mac = prev_mac = _entry_mac(event)
            # Plain statements rather than model saves: every application writes two entries
            # inside its transaction while SQLite lets one writer in at a time, and the ORM's
            # query building held that lock for longer than the writes themselves.
            fast_insert.insert(event)
            events.append(event)
        head = AuditHead(pk=1, seq=seq, mac=prev_mac)
        head.head_mac = _head_mac(head)
        cursor.execute(
            _statements(connection.vendor).update_head, [head.seq, head.mac, head.head_mac]
        )
    return events


@dataclass(frozen=True)
class _Statements:
    lock_head: str
    update_head: str


@cache
def _statements(vendor: str) -> _Statements:
    """The head's two statements, written once per kind of database."""
    head = connection.ops.quote_name(AuditHead._meta.db_table)
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    return _Statements(
        lock_head=f"SELECT seq, mac FROM {head} WHERE id = 1{lock}",  # noqa: S608
        update_head=f"UPDATE {head} SET seq = %s, mac = %s, head_mac = %s WHERE id = 1",  # noqa: S608
    )


def _lock_head(cursor: Any) -> tuple[int, str]:
    """The chain's head, locked until the transaction ends; created with the first entry."""
    lock_head = _statements(connection.vendor).lock_head
    cursor.execute(lock_head)
    row = cursor.fetchone()
    if row is None:
        AuditHead.objects.get_or_create(pk=1)
        cursor.execute(lock_head)
        row = cursor.fetchone()
    return int(row[0]), str(row[1])


class CaseLike(Protocol):
    programme_id: int
    reference: str


def record_case(case: CaseLike, action: Action | CaseMove, actor: str, **detail: Any) -> AuditEvent:
    """An event about one case: its programme and reference, never its contents."""
    return record(action, actor, programme_id=case.programme_id, case_ref=case.reference, **detail)


def record_case_steps(
    case: CaseLike, actor: str, *steps: tuple[Action | CaseMove, dict[str, Any]]
) -> list[AuditEvent]:
    """Several events about one case by one actor, in order: (action, detail) each."""
    return _append(actor, case.programme_id, case.reference, list(steps))


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
