"""Nobody can lock real applicants out of signing in (issue #16): against the real server
(gunicorn, SQLite, production settings), a concurrent flood of wrong codenames from fresh
sessions is followed by the correct codename, which signs in at once."""

import os
import sqlite3
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import harness
import load

from safepassage.vault import codenames

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("SAFEPASSAGE_DATABASE_URL")),
    reason="runs its own SQLite server; it runs once, in the SQLite run",
)

FLOOD = 1000


def sign_in(port: int, codename: str) -> tuple[int, str]:
    browser = load.Browser(port)
    token = browser.csrf_token("/ru/enter/")
    status, headers, content = browser.request(
        "POST", "/ru/enter/", {"codename": codename, "csrfmiddlewaretoken": token}
    )
    return status, headers.get("Location") or content.decode()


def apply(port: int) -> str:
    browser = load.Browser(port)
    form = {**load.FORM, **browser.form("/ru/bench/apply/")}
    status, headers, _ = browser.request("POST", "/ru/bench/apply/", form)
    assert status == 302
    _, _, page = browser.request("GET", headers["Location"])
    found = load.CODENAME_RE.search(page)
    assert found is not None
    codename: str = found.group(1).decode()
    return codename


@pytest.fixture(scope="module")
def server():
    var = harness.new_var_dir()
    env = harness.server_env(var)
    harness.prepare(env)
    running = harness.Server(env)
    running.start()
    running.database = var / "safepassage.sqlite3"
    yield running
    running.stop()
    harness.discard(var)


def test_a_flood_of_wrong_codenames_locks_no_one_out(server):
    codename = apply(server.port)
    wrong = [codenames.generate("ru") for _ in range(FLOOD)]
    with ThreadPoolExecutor(max_workers=16) as pool:
        answers = list(pool.map(lambda guess: sign_in(server.port, guess)[0], wrong))
    assert answers == [200] * FLOOD  # each told "not known", none let in, none a 500
    status, where = sign_in(server.port, codename)
    assert (status, where) == (302, "/ru/my/")


def test_a_session_that_keeps_guessing_waits_longer_each_time(server):
    browser = load.Browser(server.port)
    token = browser.csrf_token("/ru/enter/")
    waits = []
    for _ in range(5):
        guess = {"codename": codenames.generate("ru"), "csrfmiddlewaretoken": token}
        _, _, content = browser.request("POST", "/ru/enter/", guess)
        page = content.decode()
        waits.append("Подождите" in page)
    # Three free tries; the fourth earns a wait, and the fifth, wrong, is answered with it.
    assert waits == [False, False, False, True, True]


def test_concurrent_failures_of_one_session_still_earn_it_a_wait(server):
    """The count lives in the session (no table grows with guesses): concurrent requests of
    one session may each read the same count, but none is let in, none fails, and the
    session waits afterwards. Guessing from fresh sessions, which the design accepts as
    hopeless against 88 bits, is no slower than this."""
    browser = load.Browser(server.port)
    token = browser.csrf_token("/ru/enter/")

    def guess(_n: int) -> int:
        form = {"codename": codenames.generate("ru"), "csrfmiddlewaretoken": token}
        status, _, _ = load.Browser(server.port, dict(browser.cookies)).request(
            "POST", "/ru/enter/", form
        )
        return int(status)

    with ThreadPoolExecutor(max_workers=12) as pool:
        assert list(pool.map(guess, range(24))) == [200] * 24
    for _ in range(4):
        form = {"codename": codenames.generate("ru"), "csrfmiddlewaretoken": token}
        _, _, content = browser.request("POST", "/ru/enter/", form)
    assert "Подождите" in content.decode()
    with sqlite3.connect(server.database) as database:
        tables = {row[0] for row in database.execute("SELECT name FROM sqlite_master")}
    assert "intake_wrongcodenames" not in tables
