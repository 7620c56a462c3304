"""No server log line names a case reference or a path (issue #16)."""

import io
import logging

import pytest
from django.test import Client

from safepassage.logs import Redact
from safepassage.programmes.roles import Role
from tests.conftest import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def server_log():
    """What the server's own log handler (settings.LOGGING's console) writes."""
    (handler,) = [
        h for h in logging.getLogger().handlers if h.filters and isinstance(h.filters[0], Redact)
    ]
    written = io.StringIO()
    previous = handler.setStream(written)
    yield written
    handler.setStream(previous)


def test_a_refused_or_unknown_case_address_is_logged_without_its_path(world, server_log):
    staff = sign_in(Client(), world.staff[Role.VERIFIER])
    assert staff.get("/en/staff/case/ABCD-2345/").status_code == 404
    logged = server_log.getvalue()
    assert "Not Found" in logged  # what happened is still logged...
    assert "ABCD-2345" not in logged and "/staff/case/" not in logged  # ...but not where


def test_a_reference_in_any_other_log_line_is_redacted():
    record = logging.LogRecord(
        "safepassage", logging.WARNING, "", 0, "case %s", ("ABCD-2345",), None
    )
    assert Redact().filter(record) and record.getMessage() == "case [case]"
