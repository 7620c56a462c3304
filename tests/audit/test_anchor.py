"""The audit log cannot be rolled back unnoticed (issue #16): a signed anchor of its head,
written outside the server, is what `audit verify` checks it against."""

import json

import nacl.signing
import pytest
from django.core.management import CommandError, call_command

from safepassage.audit import anchor, log
from safepassage.audit.actions import Action
from safepassage.audit.models import AuditEvent, AuditHead
from safepassage.ops import tasks

KEY = "11" * 32


@pytest.fixture
def anchored(settings, tmp_path, db):
    settings.AUDIT_ANCHOR_KEY = KEY
    settings.AUDIT_ANCHOR_DIR = str(tmp_path / "anchors")
    return tmp_path / "anchors"


def entries(n: int) -> None:
    for _ in range(n):
        log.record(Action.OPS_BACKUP_WRITTEN, log.SYSTEM)


def test_a_log_that_agrees_with_its_anchor_verifies(anchored, capsys):
    entries(3)
    call_command("audit", "anchor")
    entries(2)  # growing after the anchor is fine
    call_command("audit", "verify")
    out = capsys.readouterr().out
    assert "audit chain intact: 5 entries; agrees with the anchor of" in out
    (written,) = anchored.iterdir()
    assert json.loads(written.read_text())["seq"] == 3


def test_a_restored_older_copy_is_reported_as_a_rollback(anchored, capsys):
    entries(3)
    head = AuditHead.objects.values().get(pk=1)  # as a backup made now would hold it
    entries(4)
    call_command("audit", "anchor")
    # Put back the older state: the tail gone, the head row as it was.
    AuditEvent.objects.filter(seq__gt=3).delete()
    AuditHead.objects.filter(pk=1).update(**{k: v for k, v in head.items() if k != "id"})
    assert log.verify() == []  # the chain alone cannot tell
    with pytest.raises(CommandError, match="BROKEN"):
        call_command("audit", "verify")
    assert "rolled back: the anchor of" in capsys.readouterr().err


def test_a_rewritten_tail_is_reported(anchored, capsys):
    entries(3)
    call_command("audit", "anchor")
    AuditEvent.objects.filter(seq=3).update(mac="0" * 64)
    with pytest.raises(CommandError, match="audit chain BROKEN: 3 problem"):
        call_command("audit", "verify")
    assert "rewritten: entry 3 differs" in capsys.readouterr().err


def test_an_anchor_not_signed_with_the_key_is_reported(anchored, capsys):
    entries(2)
    path = anchor.write()
    body = json.loads(path.read_text())
    other = nacl.signing.SigningKey.generate()
    message = json.dumps([body["seq"], body["mac"], body["at"]], separators=(",", ":")).encode()
    body["signature"] = other.sign(message).signature.hex()
    path.write_text(json.dumps(body))
    with pytest.raises(CommandError, match="audit chain BROKEN: 1 problem"):
        call_command("audit", "verify")
    assert "is not signed with the anchor key" in capsys.readouterr().err


def test_the_worker_anchors_on_its_own(anchored):
    entries(1)
    assert tasks.anchor_audit_log.call().startswith("audit-anchor-000000000001-")


def test_without_anchors_set_up_the_command_says_so(settings, db):
    settings.AUDIT_ANCHOR_KEY = ""
    with pytest.raises(CommandError, match="SAFEPASSAGE_AUDIT_ANCHOR_KEY"):
        call_command("audit", "anchor")
