"""Every action the code records is named once, in `audit.actions`, with words for the log."""

import re
from pathlib import Path

import pytest
from django.utils import translation

from safepassage.audit import describe
from safepassage.audit.actions import Action, case_move
from safepassage.cases.transitions import BY_ACTION
from safepassage.programmes.roles import Role

SOURCE = Path(__file__).resolve().parents[2] / "src/safepassage"


def _source() -> str:
    return "\n".join(path.read_text() for path in SOURCE.rglob("*.py") if path.name != "actions.py")


def test_no_action_is_spelt_out_at_a_call_site():
    literal = re.compile(r"log\.record(?:_case)?\(\s*(?:[\w.]+,\s*)?f?\"[a-z_.{}]+\"")
    assert literal.findall(_source()) == []


# Recorded no more, and kept so that entries written before still read as words.
OLD_ENTRIES_ONLY = {"APPLICANT_DURESS"}  # a duress sign-in records what a real one does (#22)


def test_every_named_action_is_recorded_somewhere():
    source = _source()
    unused = [
        action.name
        for action in Action
        if not re.search(rf"Action\.{action.name}\b", source)
        and action.name not in OLD_ENTRIES_ONLY
    ]
    assert unused == []
    assert not [name for name in OLD_ENTRIES_ONLY if re.search(rf"Action\.{name}\b", source)]


def test_every_action_reads_as_words_in_russian_and_english():
    with translation.override("ru"):
        assert describe.action_label("passage.notice_sent", lambda a: None) == (
            "Уведомление о прекращении огня отправлено"
        )
        for action in Action:
            label = describe.action_label(action.value, lambda a: None)
            assert label, action
            assert not re.search(r"_|[a-z]\.[a-z]", label), action
    with translation.override("en"):
        assert describe.action_label("case.shredded", lambda a: None) == (
            "Case destroyed (retention)"
        )


def test_a_case_move_takes_the_table_label():
    for action in BY_ACTION:
        label = describe.action_label(case_move(action), lambda a: str(BY_ACTION[a].label))
        assert label == str(BY_ACTION[action].label)


@pytest.mark.django_db
def test_the_audit_page_names_what_was_read_and_the_probe_risk_in_words(world, staff_client):
    """Issue #27, point 12: «identity, circumstances, planning» and «1.0» were codes."""
    from django.test import Client

    from safepassage.audit import log
    from safepassage.audit.models import AuditEvent
    from tests.conftest import submit, text_of

    submit(Client())
    case = world.programme.case_set.get()
    log.record_case(case, Action.CASE_READ, "system", groups=["identity", "planning"])
    log.record_case(
        case, Action.PASSAGE_PROBE_HOLD_OVERRIDDEN, "system", crossing=1, probe_risk=1.0
    )
    page = staff_client(Role.ADMIN).get("/ru/staff/p/north/audit/").content.decode()
    override, read = (
        text_of(page, f"audit-{AuditEvent.objects.filter(action=action).latest('seq').seq}")
        for action in (Action.PASSAGE_PROBE_HOLD_OVERRIDDEN, Action.CASE_READ)
    )
    assert read.endswith("прочитанные поля: личные данные, планирование перехода")
    assert override.endswith("риск провокации: 100 %")
