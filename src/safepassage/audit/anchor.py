"""Anchors: the audit chain's head, signed and written outside the server, so the log cannot
be rolled back unnoticed (issue #16).

The chain's HMAC stops anyone without the audit key from rewriting an entry; it cannot stop
someone from putting back an older copy of the whole database (a backup), or whoever holds
the audit key from rewriting the tail. An anchor is the head's sequence number and MAC at a
moment, signed with an Ed25519 key that is not the audit key (SAFEPASSAGE_AUDIT_ANCHOR_KEY,
kept off the database host) and written to SAFEPASSAGE_AUDIT_ANCHOR_DIR, a place the server
can add files to but not change (a mounted append-only store, another machine). `verify`
checks the chain against the newest anchor: an entry it saw must still be there, unchanged.
"""

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import nacl.exceptions
import nacl.signing
from django.conf import settings
from django.utils import timezone

from safepassage.audit.models import AuditEvent, AuditHead

PREFIX = "audit-anchor-"


class NotConfigured(Exception):
    """No anchor key or no anchor place is set."""


@dataclass(frozen=True)
class Anchor:
    seq: int
    mac: str
    at: str

    def message(self) -> bytes:
        return json.dumps([self.seq, self.mac, self.at], separators=(",", ":")).encode()


def _signing_key() -> nacl.signing.SigningKey:
    if not settings.AUDIT_ANCHOR_KEY or not settings.AUDIT_ANCHOR_DIR:
        raise NotConfigured("set SAFEPASSAGE_AUDIT_ANCHOR_KEY and SAFEPASSAGE_AUDIT_ANCHOR_DIR")
    return nacl.signing.SigningKey(bytes.fromhex(settings.AUDIT_ANCHOR_KEY))


def write(now: datetime | None = None) -> Path:
    """Sign the chain's head as it is now and write it as a new file; returns its path."""
    key = _signing_key()
    head = AuditHead.objects.filter(pk=1).first()
    moment = (now or timezone.now()).strftime("%Y%m%dT%H%M%SZ")
    anchor = Anchor(seq=head.seq if head else 0, mac=head.mac if head else "", at=moment)
    signed = key.sign(anchor.message()).signature.hex()
    folder = Path(settings.AUDIT_ANCHOR_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{PREFIX}{anchor.seq:012d}-{moment}.json"
    body = {"seq": anchor.seq, "mac": anchor.mac, "at": anchor.at, "signature": signed}
    partial = path.with_suffix(".partial")
    partial.write_text(json.dumps(body))
    partial.replace(path)
    return path


def newest() -> Anchor | None:
    """The newest anchor with a good signature; raises ValueError on a forged one (a file
    someone wrote without the key is itself a finding)."""
    folder = Path(settings.AUDIT_ANCHOR_DIR)
    files = sorted(folder.glob(f"{PREFIX}*.json")) if folder.is_dir() else []
    if not files:
        return None
    verify_key = _signing_key().verify_key
    body = json.loads(files[-1].read_text())
    anchor = Anchor(seq=int(body["seq"]), mac=str(body["mac"]), at=str(body["at"]))
    try:
        verify_key.verify(anchor.message(), bytes.fromhex(body["signature"]))
    except (nacl.exceptions.BadSignatureError, ValueError) as error:
        raise ValueError(f"anchor {files[-1].name} is not signed with the anchor key") from error
    return anchor


def rollback(anchor: Anchor) -> str | None:
    """Why the log disagrees with `anchor`, or None: every entry it saw is still there."""
    if anchor.seq == 0:
        return None
    seen = AuditEvent.objects.filter(seq=anchor.seq).values_list("mac", flat=True).first()
    if seen is None:
        return (
            f"rolled back: the anchor of {anchor.at} saw entry {anchor.seq}, "
            "which the log no longer holds"
        )
    if seen != anchor.mac:
        return f"rewritten: entry {anchor.seq} differs from what the anchor of {anchor.at} saw"
    return None
