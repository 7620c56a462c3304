"""Every action the code records has words in the audit log."""

import re
from pathlib import Path

from safepassage.audit import describe
from safepassage.cases.transitions import BY_ACTION

SOURCE = Path(__file__).resolve().parents[2] / "src/safepassage"


def test_every_recorded_action_has_a_label():
    recorded = set()
    for path in SOURCE.rglob("*.py"):
        text = path.read_text()
        for call in re.finditer(r"log\.record(?:_case)?\(\s*(?:[\w.]+,\s*)?\"([a-z_.]+)\"", text):
            recorded.add(call.group(1))
    assert len(recorded) > 30
    missing = sorted(a for a in recorded if a not in describe.ACTIONS)
    assert missing == []
    for action in BY_ACTION:  # case.<move> takes the table's label
        assert describe.action_label(f"case.{action}", lambda a: str(BY_ACTION[a].label))
