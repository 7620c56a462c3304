"""A bot with no network (safepassage/bot/offline.py): updates fed to the real dispatcher."""

import pytest

from safepassage.bot.offline import Telegram


@pytest.fixture
def telegram(world) -> Telegram:
    return Telegram(world.programme.slug)


@pytest.fixture(autouse=True)
def nothing_pending():
    """What an earlier test's chat left to delete is not this test's (message ids restart
    with each recording session)."""
    from safepassage.bot.conversation import PENDING

    PENDING.clear()
    yield
    PENDING.clear()
