"""Every action the audit log can record is asserted exactly somewhere: some test compares
`audit_entries("<action>", ...)` with `==` to the list of (actor, detail) it expects, directly
or through a name it assigned (issue #23, point 1). An action nobody asserts is one whose
entry could silently go missing or say the wrong thing."""

import re
from pathlib import Path

from safepassage.audit.actions import Action

TESTS = Path(__file__).resolve().parent.parent
CALL = r'audit_entries\(\s*"(?P<action>[a-z_.]+)"[^()]*(?:\([^()]*\)[^()]*)*\)'


def asserted_exactly(source: str) -> set[str]:
    found = set(m["action"] for m in re.finditer(CALL + r"\s*==", source))
    for m in re.finditer(r"^\s*(?P<name>\w+) = " + CALL, source, re.M):
        if re.search(rf"assert {m['name']} == \[", source[m.end() :]):
            found.add(m["action"])
    return found


def test_every_action_is_asserted_exactly():
    source = "\n".join(path.read_text(encoding="utf-8") for path in TESTS.rglob("test_*.py"))
    asserted = asserted_exactly(source)
    assert sorted(str(action) for action in Action if str(action) not in asserted) == []


def test_the_check_tells_an_exact_assert_from_a_loose_one():
    exact = 'assert audit_entries("a.b", case_ref=c.reference) == [("system", {})]'
    named = 'seen = audit_entries("c.d")\n    assert seen == [("system", {})]'
    loose = 'assert audit_entries("e.f")\n    assert len(audit_entries("g.h")) == 1'
    assert asserted_exactly("\n".join((exact, named, loose))) == {"a.b", "c.d"}
