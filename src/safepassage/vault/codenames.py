"""Codenames: the applicant's only credential.

A codename is eight words drawn uniformly from a 2,048-word list in the applicant's language
(88 bits). The server generates it; it is stored only as a keyed hash (the key, the codename
pepper, is not in the database) and as the key that unwraps the case's data key.
"""

import hmac
import re
import secrets
import unicodedata
from functools import cache
from hashlib import blake2b
from pathlib import Path

from django.conf import settings

from safepassage.vault import crypto

WORDS = 8
WORDLISTS = Path(__file__).resolve().parent / "wordlists"
WORDLIST_LANGUAGES = ("ru", "uk", "en")
BITS_PER_WORD = 11


@cache
def wordlist(language: str) -> tuple[str, ...]:
    if language not in WORDLIST_LANGUAGES:
        language = "ru" if language == "be" else "en"
    words = tuple((WORDLISTS / f"{language}.txt").read_text(encoding="utf-8").split())
    assert len(words) == 2**BITS_PER_WORD and len(set(words)) == len(words)
    return words


def generate(language: str) -> str:
    words = wordlist(language)
    return " ".join(secrets.choice(words) for _ in range(WORDS))


def normalise(codename: str) -> str:
    """What the applicant typed, reduced to the words: case, ё/е, spacing and dashes ignored."""
    text = unicodedata.normalize("NFC", codename).lower().replace("ё", "е")
    return " ".join(re.findall(r"[^\W\d_]+", text))


def looks_like_codename(codename: str) -> bool:
    return len(normalise(codename).split()) == WORDS


def lookup_hash(codename: str) -> bytes:
    """Keyed hash of the normalised codename; the pepper is outside the database."""
    return blake2b(
        normalise(codename).encode(), key=settings.CODENAME_PEPPER, digest_size=32
    ).digest()


def same_hash(a: bytes, b: bytes) -> bool:
    return hmac.compare_digest(bytes(a), bytes(b))


def wrap_key(codename: str, key: bytes) -> bytes:
    """`key` wrapped under the codename, at the cost fit for a high-entropy secret."""
    return crypto.wrap_with_secret(normalise(codename), key, crypto.HIGH_ENTROPY)


def unwrap_key(codename: str, wrapped: bytes) -> bytes:
    """Raises crypto.DecryptionError for a wrong codename or a destroyed key."""
    return crypto.unwrap_with_secret(normalise(codename), wrapped)
