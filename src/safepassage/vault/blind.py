"""Keyed blind indexes for equality look-ups (duplicate detection) without plaintext.

The key is derived from the private key of the field group that reads the field (identity or
circumstances), so indexes can only be computed inside a staff session that holds it: a copy
of the database and the disk cannot test guesses, nor can a key of another group.
"""

import re
import unicodedata
from hashlib import blake2b

from safepassage.vault.crypto import derive_key


def normalise(value: str) -> str:
    text = unicodedata.normalize("NFKC", value).lower().replace("ё", "е")
    return " ".join(re.findall(r"\w+", text))


def blind_index(programme_private_key: bytes, kind: str, *parts: str) -> bytes | None:
    """None when every part is empty: absent data matches nothing."""
    cleaned = [normalise(part) for part in parts]
    if not any(cleaned):
        return None
    key = derive_key(programme_private_key, f"blind-index:{kind}")
    return blake2b("\x1f".join(cleaned).encode(), key=key, digest_size=16).digest()
