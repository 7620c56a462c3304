"""A bot with no network (safepassage/bot/offline.py): updates fed to the real dispatcher."""

import pytest

from safepassage.bot.offline import CHAT_ID, Telegram

__all__ = ["CHAT_ID"]


@pytest.fixture
def telegram(world) -> Telegram:
    return Telegram(world.programme.slug)
