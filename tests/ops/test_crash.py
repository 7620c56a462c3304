"""A crash after acknowledgement loses nothing: the real server (gunicorn, SQLite with
synchronous=FULL) is killed with SIGKILL again and again while clients apply, and every
codename a client was shown still opens its case afterwards (bench/crash.py; `make
crash-test` runs it with 20 kills)."""

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import crash

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("SAFEPASSAGE_DATABASE_URL")),
    reason="the crash test runs its own SQLite server; it runs once, in the SQLite run",
)


def test_killing_the_server_loses_no_acknowledged_application():
    report = crash.crash_test(kills=5, clients=8)
    assert report["problems"] == []
    assert report["intake"]["errors"].get("unreachable, sent again", 0) > 0  # kills landed
    assert report["acknowledged"] > 50
    assert report["signed_in"] == report["acknowledged"] == report["stored"]["cases"]
