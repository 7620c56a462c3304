"""A session store whose cookie is also the key to the secrets kept in the session.

Written by hand because Django's database store keeps the session key itself in the database,
so anyone with a copy could both read and hijack sessions. Here the cookie is a random
token; the database row is keyed by a hash of it, and values put with `put_secret` are
encrypted under a key derived from it. An unlocked programme key (staff) or case key
(applicant) is therefore never in the database or the session store in the clear, and is gone
when the cookie is.
"""

import base64
import re
import secrets
from hashlib import blake2b
from typing import Any

from django.contrib.sessions.backends import db
from django.core import signing
from django.http import HttpRequest
from django.utils import timezone

from safepassage.vault.crypto import DecryptionError, decrypt_bytes, encrypt_bytes

SEALED_PREFIX = "_sealed:"
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{43}$")


def _digest(token: str, person: bytes, size: int) -> bytes:
    return blake2b(token.encode(), person=person, digest_size=size).digest()


class SessionStore(db.SessionStore):
    @staticmethod
    def row_key(token: str) -> str:
        """The session table's key for a cookie's token: a copy of the table holds no
        cookie that would open a session."""
        return _digest(token, b"sp-session-row", 20).hex()

    def _box_key(self) -> bytes:
        if self.session_key is None:
            self.create()  # a row must exist before its token can key anything
        return _digest(self.session_key or "", b"sp-session-key", 32)

    def bound_key(self, purpose: bytes) -> bytes:
        """A key only this browser session can derive (from its cookie), for `purpose`."""
        if self.session_key is None:
            self.create()
        return _digest(self.session_key or "", b"sp-bound:" + purpose[:7], 32)

    def _validate_session_key(self, key: str | None) -> bool:
        return bool(key) and bool(TOKEN_RE.match(key or ""))

    def _get_new_session_key(self) -> str:
        while True:
            token = secrets.token_urlsafe(32)
            if not self.exists(token):
                return token

    def _get_session_from_db(self) -> Any:
        try:
            return self.model.objects.get(
                session_key=self.row_key(self.session_key or ""),
                expire_date__gt=timezone.now(),
            )
        except self.model.DoesNotExist:
            self._session_key = None
            return None

    def exists(self, session_key: str) -> bool:
        return self.model.objects.filter(session_key=self.row_key(session_key)).exists()

    def encode(self, session_dict: dict[str, Any]) -> str:
        """Django's encoding without its compression: compressed, a row's length would vary
        with what the session holds (a duress session would not write the same bytes as a
        real one). Rows written compressed before still decode."""
        return signing.dumps(
            session_dict, salt=self.key_salt, serializer=self.serializer, compress=False
        )

    def create_model_instance(self, data: dict[str, Any]) -> Any:
        return self.model(
            session_key=self.row_key(self.session_key or ""),  # save() created it
            session_data=self.encode(data),
            expire_date=self.get_expiry_date(),
        )

    def delete(self, session_key: str | None = None) -> None:
        token = session_key or self.session_key
        if token:
            self.model.objects.filter(session_key=self.row_key(token)).delete()

    def cycle_key(self) -> None:
        # A new token means a new box key: carry the sealed values over.
        opened = {name: self.get_secret(name) for name in self.secret_names()}
        super().cycle_key()
        for name, value in opened.items():
            if value is not None:
                self.put_secret(name, value)

    def secret_names(self) -> list[str]:
        return [k.removeprefix(SEALED_PREFIX) for k in self.keys() if k.startswith(SEALED_PREFIX)]

    def put_secret(self, name: str, value: bytes) -> None:
        sealed = encrypt_bytes(self._box_key(), value)
        self[SEALED_PREFIX + name] = base64.b64encode(sealed).decode()

    def drop_secret(self, name: str) -> None:
        self.pop(SEALED_PREFIX + name, None)

    def get_secret(self, name: str) -> bytes | None:
        sealed = self.get(SEALED_PREFIX + name)
        if not sealed:
            return None
        try:
            return decrypt_bytes(self._box_key(), base64.b64decode(sealed))
        except (DecryptionError, ValueError):
            return None


def store_of(request: HttpRequest) -> SessionStore:
    """The request's session as this store, with its sealed values (settings.SESSION_ENGINE
    names this module, so every request's session is one)."""
    return request.session  # type: ignore[return-value]


class KeepsWrongCodenames:
    """For a visitor's session class (the applicant's, the inquirer's): the wrong codenames
    this browser sent, as lib/backoff.py counts them; each class names its own key."""

    _store: SessionStore
    WRONG_CODENAMES_KEY = "wrong-codenames"

    def wrong_codenames(self) -> tuple[int, int]:
        failures, not_before = self._store.get(self.WRONG_CODENAMES_KEY, [0, 0])
        return int(failures), int(not_before)

    def set_wrong_codenames(self, failures: int, not_before: int) -> None:
        self._store[self.WRONG_CODENAMES_KEY] = [failures, not_before]

    def forget_wrong_codenames(self) -> None:
        self._store.pop(self.WRONG_CODENAMES_KEY, None)
