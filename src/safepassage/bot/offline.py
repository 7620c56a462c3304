"""The bot with no network: a recording session answers every Telegram method as Telegram
would and keeps what the bot sent (as aiogram's own tests do, tests/mocked_bot.py), and a
private chat that feeds updates to the real dispatcher. For the tests and `make bench`."""

import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiogram import Bot
from aiogram.client.session.base import BaseSession
from aiogram.methods import DeleteMessage, SendMessage, TelegramMethod
from aiogram.types import CallbackQuery, Chat, InlineKeyboardMarkup, Message, Update, User
from asgiref.sync import async_to_sync

from safepassage.bot.chats import Chats
from safepassage.bot.run import DISPATCHER

CHAT_ID = 987654321


class RecordingSession(BaseSession):
    def __init__(self) -> None:
        super().__init__()
        self.calls: list[TelegramMethod[Any]] = []
        self._ids = itertools.count(1000)

    async def close(self) -> None:
        pass

    async def make_request(self, bot: Bot, method: TelegramMethod[Any], timeout: Any = None) -> Any:
        self.calls.append(method)
        if isinstance(method, SendMessage):
            return Message(
                message_id=next(self._ids),
                date=datetime.now(UTC),
                chat=Chat(id=int(method.chat_id), type="private"),
                text=method.text,
            )
        return True

    async def stream_content(self, *args: Any, **kwargs: Any) -> Any:  # pragma: no cover
        yield b""


@dataclass
class Telegram:
    """One private chat with the bot."""

    programme_slug: str
    chat_id: int = CHAT_ID
    bot: Bot = field(default_factory=lambda: Bot("42:TEST", session=RecordingSession()))
    chats: Chats = field(default_factory=Chats)
    _ids: Any = field(default_factory=lambda: itertools.count(1))

    @property
    def session(self) -> RecordingSession:
        return self.bot.session  # type: ignore[return-value]

    def _feed(self, update: Update) -> None:
        async_to_sync(DISPATCHER.feed_update)(
            self.bot, update, chats=self.chats, programme_slug=self.programme_slug
        )

    def _message(self, text: str) -> Message:
        return Message(
            message_id=next(self._ids),
            date=datetime.now(UTC),
            chat=Chat(id=self.chat_id, type="private"),
            from_user=User(id=self.chat_id, is_bot=False, first_name="Ivan", username="ivan_z"),
            text=text,
        )

    def send(self, text: str) -> int:
        message = self._message(text)
        self._feed(Update(update_id=next(self._ids), message=message))
        return message.message_id

    def press(self, data: str) -> None:
        query = CallbackQuery(
            id=str(next(self._ids)),
            from_user=User(id=self.chat_id, is_bot=False, first_name="Ivan"),
            chat_instance="x",
            message=self._message("…"),
            data=data,
        )
        self._feed(Update(update_id=next(self._ids), callback_query=query))

    def sent(self) -> list[SendMessage]:
        return [c for c in self.session.calls if isinstance(c, SendMessage)]

    def last(self) -> str:
        return self.sent()[-1].text

    def deleted(self) -> set[int]:
        return {c.message_id for c in self.session.calls if isinstance(c, DeleteMessage)}

    def buttons(self) -> list[str]:
        markup = self.sent()[-1].reply_markup
        if not isinstance(markup, InlineKeyboardMarkup):
            return []
        return [str(b.callback_data) for row in markup.inline_keyboard for b in row]
