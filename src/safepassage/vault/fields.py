"""Text the server encrypts itself: configuration that names places (a sector's name, what the
applicant will recognise, the approach), so a copy of the database shows none of them.

It is encrypted under a key derived from the codename pepper, which lives outside the database
(a secret store; check-deploy warns when it sits beside the database). Not a case key: a
programme admin, who holds no case key, edits sectors, and the worker names none. What can
read it is the running server; what cannot is a copy of the database or of its backups.

Written by hand because the encrypted-field packages for Django are unmaintained or bring
their own key handling; this is one SecretBox (PyNaCl) under a derived key.
"""

import base64
from typing import Any

from django.conf import settings
from django.db import models

from safepassage.vault import crypto

PREFIX = "sealed:"


def _key() -> bytes:
    return crypto.derive_key(settings.CODENAME_PEPPER, "server-sealed text")


def seal_text(value: str) -> str:
    return PREFIX + base64.b64encode(crypto.encrypt_bytes(_key(), value.encode())).decode()


def open_text(stored: str) -> str:
    """Raises DecryptionError when the installation's key does not open it (a wrong pepper)."""
    if not stored.startswith(PREFIX):
        raise crypto.DecryptionError("not server-sealed text")
    return crypto.decrypt_bytes(_key(), base64.b64decode(stored[len(PREFIX) :])).decode()


class ServerSealedTextField(models.TextField[str, str]):
    """A text field stored encrypted (see the module docstring). It cannot be searched,
    ordered or constrained by the database: every comparison happens in Python."""

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        return None if value is None else open_text(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        return None if value is None else seal_text(str(value))
