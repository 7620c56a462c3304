"""What the bot remembers of a chat, and for how long: in this process's memory only, keyed by
a keyed hash of the chat id under a random key made at start and replaced every day, gone
within the hour. No chat id, user id, name, username or language is kept anywhere else: not
in the database, not in a log line (issue #12).

Written by hand because aiogram's FSM storages keep the chat id in the clear as their key."""

import hmac
import secrets
import time
from dataclasses import dataclass, field
from hashlib import sha256
from typing import Any

LIFETIME = 3600  # seconds a quiet chat is remembered
KEY_LIFETIME = 24 * 3600
PER_MINUTE = 30  # messages and button presses a chat may send in a minute


@dataclass
class Chat:
    language: str = "ru"
    step: str = ""  # what the bot asked for last ("" when nothing)
    intent: str = "apply"  # "apply" or "ask"
    campaign: str = ""
    answers: dict[str, Any] = field(default_factory=dict)
    applicant: Any = None  # intake.applicants.Applicant once signed in with a codename
    codename_message: int | None = None  # the message showing a new codename
    shown: list[int] = field(default_factory=list)  # what the bot sent while he was signed in
    seen: float = field(default_factory=time.monotonic)
    recent: list[float] = field(default_factory=list)
    ticket: str = ""  # the application's ticket (cases/pacing.py), given when he begins


def _recent(sent: dict[bytes, list[float]], now: float) -> dict[bytes, list[float]]:
    kept = {k: [t for t in times if now - t < LIFETIME] for k, times in sent.items()}
    return {k: times for k, times in kept.items() if times}


class Chats:
    def __init__(self, clock: Any = time.monotonic) -> None:
        self._clock = clock
        self._key = secrets.token_bytes(32)
        self._key_made = clock()
        self._chats: dict[bytes, Chat] = {}
        # When each chat sent its applications: kept apart from the chat, so that signing out
        # (which forgets the chat) does not start the count again.
        self._applied: dict[bytes, list[float]] = {}
        self._inquired: dict[bytes, list[float]] = {}  # and its relatives' inquiries
        self._swept = clock()

    def _name(self, chat_id: int) -> bytes:
        now = self._clock()
        if now - self._key_made > KEY_LIFETIME:  # a new key: every chat starts over
            self._key, self._key_made = secrets.token_bytes(32), now
            self._chats, self._applied, self._inquired = {}, {}, {}
        return hmac.new(self._key, str(chat_id).encode(), sha256).digest()

    def get(self, chat_id: int) -> Chat:
        now = self._clock()
        if now - self._swept > 60:  # quiet chats are forgotten once a minute, not per update
            self._chats = {k: c for k, c in self._chats.items() if now - c.seen < LIFETIME}
            self._applied = _recent(self._applied, now)
            self._inquired = _recent(self._inquired, now)
            self._swept = now
        name = self._name(chat_id)
        chat = self._chats.get(name)
        if chat is None or now - chat.seen >= LIFETIME:
            chat = self._chats[name] = Chat()
        chat.seen = now
        return chat

    def forget(self, chat_id: int) -> None:
        self._chats.pop(self._name(chat_id), None)

    def too_fast(self, chat: Chat) -> bool:
        """Counts this step; True when the chat sent more than PER_MINUTE in the last minute."""
        now = self._clock()
        chat.recent = [t for t in chat.recent if now - t < 60] + [now]
        return len(chat.recent) > PER_MINUTE

    def may_apply(self, chat_id: int, per_hour: int) -> bool:
        """Fewer than `per_hour` applications from this chat in the last hour, as one browser
        session may send on the web (intake/flood.py)."""
        now = self._clock()
        recent = [t for t in self._applied.get(self._name(chat_id), []) if now - t < LIFETIME]
        return len(recent) < per_hour

    def note_application(self, chat_id: int) -> None:
        self._applied.setdefault(self._name(chat_id), []).append(self._clock())

    def may_inquire(self, chat_id: int, per_hour: int) -> bool:
        """Fewer than `per_hour` relatives' inquiries from this chat in the last hour."""
        now = self._clock()
        recent = [t for t in self._inquired.get(self._name(chat_id), []) if now - t < LIFETIME]
        return len(recent) < per_hour

    def note_inquiry(self, chat_id: int) -> None:
        self._inquired.setdefault(self._name(chat_id), []).append(self._clock())

    def __len__(self) -> int:
        return len(self._chats)
