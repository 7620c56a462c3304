"""A bot with no network (safepassage/bot/offline.py): updates fed to the real dispatcher."""

import pytest

from safepassage.bot.offline import Telegram


@pytest.fixture
def telegram(world) -> Telegram:
    return Telegram(world.programme.slug)
