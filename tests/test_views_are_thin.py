"""Views validate and call one named writer (issue #23, point 1): no `*views.py` writes an
audit entry or opens a transaction itself, so every write is a writer that
tests/test_writers_are_atomic.py can break and check."""

import ast
from pathlib import Path

import pytest

SOURCE = Path(__file__).resolve().parent.parent / "src" / "safepassage"
VIEWS = sorted(SOURCE.rglob("*views.py"))


def _writes(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Attribute):
            owner = node.value.id if isinstance(node.value, ast.Name) else ""
            if owner == "log" and node.attr.startswith("record"):
                found.append(f"{path.name}:{node.lineno} log.{node.attr}")
            if owner == "transaction" and node.attr in {"atomic", "on_commit"}:
                found.append(f"{path.name}:{node.lineno} transaction.{node.attr}")
    return found


def test_there_are_views_to_check():
    assert len(VIEWS) > 10


@pytest.mark.parametrize("path", VIEWS, ids=lambda path: str(path.relative_to(SOURCE)))
def test_no_view_writes_an_audit_entry_or_opens_a_transaction(path):
    assert _writes(path) == []


def test_the_check_sees_a_view_that_writes(tmp_path):
    written = tmp_path / "views.py"
    written.write_text(
        "from django.db import transaction\n"
        "def view(request):\n"
        "    with transaction.atomic():\n"
        "        log.record('x', 'y')\n"
    )
    assert _writes(written) == ["views.py:3 transaction.atomic", "views.py:4 log.record"]


# One session class per trust zone owns every key of its browser session: the applicant's
# (intake/sessions.ApplicantSession), the signed-in staff member's and the invitee's
# (programmes/sessions.py), over the store itself (vault/sessions.py). No other module
# touches request.session.
SESSION_CLASSES = {"intake/sessions.py", "programmes/sessions.py", "vault/sessions.py"}
EVERY_MODULE = sorted(
    path
    for path in SOURCE.rglob("*.py")
    if path.relative_to(SOURCE).as_posix() not in SESSION_CLASSES and "migrations" not in path.parts
)


def _session_indexed(path: Path) -> list[str]:
    return [
        f"{path.name}:{node.lineno}"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Attribute)
        and node.attr == "session"
        and isinstance(node.value, ast.Name)
        and node.value.id == "request"
    ]


@pytest.mark.parametrize("path", EVERY_MODULE, ids=lambda path: path.relative_to(SOURCE).as_posix())
def test_only_a_session_class_touches_the_session(path):
    assert _session_indexed(path) == []


def test_the_check_sees_a_session_indexed(tmp_path):
    indexed = tmp_path / "views.py"
    indexed.write_text("def view(request):\n    request.session['x'] = 1\n")
    assert _session_indexed(indexed) == ["views.py:2"]
