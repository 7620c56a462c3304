"""A tampered audit log is detected: an edited, removed or truncated entry breaks the chain."""

from dataclasses import dataclass
from typing import cast

import pytest
from django.core.management import CommandError, call_command

from safepassage.audit import log
from safepassage.audit.actions import Action
from safepassage.audit.models import AuditEvent, AuditHead


@dataclass
class CaseRef:
    programme_id: int
    reference: str


@pytest.fixture
def chain(db):
    for n in range(3):
        log.record(TEST_EVENT, log.SYSTEM, case_ref=f"C{n}", n=n)
    # The last two appended at once, as a new application's `case.opened` and `case.apply`.
    log.record_case_steps(
        CaseRef(1, "C3"), log.APPLICANT, (TEST_EVENT, {"n": 3}), (TEST_EVENT, {"n": 4})
    )


# Not an action the site takes: the chain is checked for any.
TEST_EVENT = cast(Action, "test.event")


def test_steps_appended_at_once_are_chained_in_order(chain):
    events = list(AuditEvent.objects.order_by("seq"))
    assert [(e.seq, e.detail["n"]) for e in events] == [(n + 1, n) for n in range(5)]
    assert events[4].prev_mac == events[3].mac
    assert events[3].prev_mac == events[2].mac
    assert AuditHead.objects.get(pk=1).seq == 5


def test_an_untouched_chain_verifies(chain, capsys):
    assert log.verify() == []
    call_command("audit", "verify")
    assert "intact: 5 entries" in capsys.readouterr().out


def test_an_edited_entry_is_detected(chain):
    AuditEvent.objects.filter(seq=3).update(detail={"n": 99})
    assert [str(p) for p in log.verify()] == ["entry 3: altered"]
    with pytest.raises(CommandError, match="BROKEN"):
        call_command("audit", "verify")


def test_an_edited_actor_is_detected(chain):
    AuditEvent.objects.filter(seq=2).update(actor="staff:1")
    assert [p.seq for p in log.verify()] == [2]


def test_a_removed_entry_is_detected(chain):
    AuditEvent.objects.filter(seq=2).delete()
    problems = log.verify()
    assert problems
    assert problems[0].seq == 2


def test_a_removed_tail_is_detected(chain):
    AuditEvent.objects.filter(seq__gte=4).delete()
    assert [str(p) for p in log.verify()] == ["entry 5: entries after 3 removed"]


def test_a_rewritten_head_is_detected(chain):
    AuditEvent.objects.filter(seq=5).delete()
    previous = AuditEvent.objects.get(seq=4)
    AuditHead.objects.filter(pk=1).update(seq=4, mac=previous.mac)
    assert [str(p) for p in log.verify()] == ["entry 4: chain head altered"]


def test_a_recomputed_chain_without_the_key_does_not_verify(chain, settings):
    settings.AUDIT_KEY = b"\x02" * 32  # an attacker's key: every entry fails
    assert len(log.verify()) >= 5
