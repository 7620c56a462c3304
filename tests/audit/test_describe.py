"""Every action the code records is named once, in `audit.actions`, with words for the log."""

import re
from pathlib import Path

from django.utils import translation

from safepassage.audit import describe
from safepassage.audit.actions import Action, case_move
from safepassage.cases.transitions import BY_ACTION

SOURCE = Path(__file__).resolve().parents[2] / "src/safepassage"


def _source() -> str:
    return "\n".join(path.read_text() for path in SOURCE.rglob("*.py") if path.name != "actions.py")


def test_no_action_is_spelt_out_at_a_call_site():
    literal = re.compile(r"log\.record(?:_case)?\(\s*(?:[\w.]+,\s*)?f?\"[a-z_.{}]+\"")
    assert literal.findall(_source()) == []


def test_every_named_action_is_recorded_somewhere():
    source = _source()
    unused = [action.name for action in Action if f"Action.{action.name}" not in source]
    assert unused == []


def test_every_action_reads_as_words_in_russian_and_english():
    with translation.override("ru"):
        assert describe.action_label("passage.notice_sent", lambda a: None) == (
            "Уведомление о прекращении огня отправлено"
        )
        for action in Action:
            label = describe.action_label(action.value, lambda a: None)
            assert label and not re.search(r"_|[a-z]\.[a-z]", label), action
    with translation.override("en"):
        assert describe.action_label("case.shredded", lambda a: None) == (
            "Case destroyed (retention)"
        )


def test_a_case_move_takes_the_table_label():
    for action in BY_ACTION:
        label = describe.action_label(case_move(action), lambda a: str(BY_ACTION[a].label))
        assert label == str(BY_ACTION[action].label)
