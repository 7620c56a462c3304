"""Keyed blind indexes for equality look-ups (duplicate detection) without plaintext.

The key is derived from the private key of the field group that reads the field (identity or
circumstances), so indexes can only be computed inside a staff session that holds it: a copy
of the database and the disk cannot test guesses, nor can a key of another group.

Before it is keyed, a value is folded so that what looks the same is the same: case, ё/е and
spacing, then Unicode's confusables (the TR39 skeleton, from ICU's SpoofChecker), so a Latin
"A" typed into a Cyrillic service number ("AБ-123456") is the same as the Cyrillic one
(issue #22, point 10). The skeleton is only ever compared, never shown.
"""

import re
import unicodedata
from functools import cache
from hashlib import blake2b

import icu

from safepassage.vault.crypto import derive_key


@cache
def _spoof_checker() -> icu.SpoofChecker:
    return icu.SpoofChecker()


def skeleton(text: str) -> str:
    """Unicode TR39's skeleton: every character replaced by the prototype of its confusable
    set (Latin "a" and Cyrillic "а" alike; "1" and "l")."""
    return str(_spoof_checker().getSkeleton(0, text))


def normalise(value: str) -> str:
    text = unicodedata.normalize("NFKC", value).lower().replace("ё", "е")
    return skeleton(" ".join(re.findall(r"\w+", text)))


def blind_index(programme_private_key: bytes, kind: str, *parts: str) -> bytes | None:
    """None when every part is empty: absent data matches nothing."""
    cleaned = [normalise(part) for part in parts]
    if not any(cleaned):
        return None
    key = derive_key(programme_private_key, f"blind-index:{kind}")
    return blake2b("\x1f".join(cleaned).encode(), key=key, digest_size=16).digest()
