"""The real `safepassage bot` process against a small Bot API server on 127.0.0.1
(tests/bot/fake_bot_api.py), reached through SAFEPASSAGE_BOT_API_SERVER as a deployer's
local telegram-bot-api would be (issue #26; issue #22, point 9): an application made
through it reaches the inbox under the Telegram channel, every answer of his is deleted, a
dropped connection is logged without the token, and SIGTERM stops it cleanly."""

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.bot.fake_bot_api import FakeBotAPI

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import harness

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("SAFEPASSAGE_DATABASE_URL")),
    reason="runs its own SQLite database; it runs once, in the SQLite run",
)
TOKEN = "123456789:AAFakeTokenForTheTestOnly_abcdefghijk"


def wait_for(condition, seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_the_real_bot_process_takes_an_application_through_a_local_api_server():
    api = FakeBotAPI(TOKEN)
    api.start()
    var = harness.new_var_dir()
    env = harness.server_env(var)
    harness.prepare(env)
    env.update(
        SAFEPASSAGE_TELEGRAM_TOKEN=TOKEN,
        SAFEPASSAGE_BOT_PROGRAMME="bench",
        SAFEPASSAGE_BOT_API_SERVER=f"http://127.0.0.1:{api.port}",
    )
    api.text(1, "/start")
    api.press("apply")
    api.text(2, "У водонапорной башни")
    api.press("alone")
    for _ in range(7):
        api.press("skip")
    api.text(3, "Когда можно идти?")
    bot = subprocess.Popen(
        [str(Path(sys.executable).with_name("safepassage")), "bot"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert wait_for(lambda: "Ваше кодовое слово" in api.texts()), api.texts()
        assert api.released == len(api.script)
        with sqlite3.connect(var / "safepassage.sqlite3") as database:
            channels = database.execute("SELECT channel, state FROM cases_case").fetchall()
        assert channels == [("telegram", "applied")]
        assert {2, 3} <= api.deleted  # his answers, each deleted as he sent it
        assert api.answered_queries == 9
        bot.send_signal(signal.SIGTERM)
        assert bot.wait(timeout=30) == 0
    finally:
        if bot.poll() is None:
            bot.kill()
        api.stop()
        harness.discard(var)
    log = bot.stdout.read() if bot.stdout else ""
    assert "Bot of programme bench: API server 127.0.0.1; polling." in log
    assert "ServerDisconnectedError" in log  # the dropped connection, logged...
    assert "TooManyRedirects" in log
    assert "/bot[token]/getUpdates" in log
    assert TOKEN not in log
    assert TOKEN.split(":")[1] not in log
    assert "Когда можно идти" not in log
    assert "водонапорной" not in log
