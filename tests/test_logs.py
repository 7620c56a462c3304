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
    assert isinstance(handler, logging.StreamHandler)
    written = io.StringIO()
    previous = handler.setStream(written)
    yield written
    handler.setStream(previous)


def test_a_refused_or_unknown_case_address_is_logged_without_its_path(world, server_log):
    staff = sign_in(Client(), world.staff[Role.VERIFIER])
    assert staff.get("/en/staff/case/ABCD-2345/").status_code == 404
    logged = server_log.getvalue()
    assert "Not Found" in logged  # what happened is still logged...
    assert "ABCD-2345" not in logged
    assert "/staff/case/" not in logged


def test_a_reference_in_any_other_log_line_is_redacted():
    record = logging.LogRecord(
        "safepassage", logging.WARNING, "", 0, "case %s", ("ABCD-2345",), None
    )
    assert Redact().filter(record)
    assert record.getMessage() == "case [case]"


def test_runservers_request_log_goes_through_the_filter(world, server_log):
    """`make run` logs every request: never its path, so never a token or a reference."""
    logger = logging.getLogger("django.server")
    logger.info(
        '"%s" %s %s', "GET /ru/staff/join/Xk9aLwTOKENpart-1234567890abcdef/ HTTP/1.1", 302, 0
    )
    logger.info('"%s" %s %s', "GET /en/staff/case/ABCD-2345/ HTTP/1.1", 200, 10)
    logged = server_log.getvalue()
    assert logged.count("[address]") == 2
    assert "302" in logged
    assert "TOKENpart" not in logged
    assert "ABCD-2345" not in logged
    assert "/staff/" not in logged


def test_the_bots_token_never_reaches_the_log_after_a_dropped_connection(server_log):
    """aiogram's message on a dropped connection names the Bot API address, token included,
    and its traceback may repeat it."""
    token = "1234567890:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
    logger = logging.getLogger("aiogram.dispatcher")
    try:
        raise ConnectionError(f"Cannot connect to https://api.telegram.org/bot{token}/getUpdates")
    except ConnectionError:
        logger.exception(
            "Failed to fetch updates - %s: %s", "TelegramNetworkError", f"bot{token}/getUpdates"
        )
    logged = server_log.getvalue()
    assert "Failed to fetch updates" in logged
    assert "ConnectionError" in logged
    assert token not in logged
    assert "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw" not in logged
