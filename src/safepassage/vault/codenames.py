"""Codenames: the applicant's only credential.

A codename is eight different words drawn uniformly from a 2,048-word list in the
applicant's language (88 bits). The server generates it; it is stored only as a keyed hash
(the key, the codename pepper, is not in the database) and as a credential: what the codename
opens, wrapped under a key stretched from a second keyed hash of it. Without the pepper a copy
of the database cannot test a codename at all.

A credential holds a kind and a key. A real codename's key is the case's data key; a duress
codename's key is a decoy key that opens nothing of the case. The kind is inside the
encryption, so nothing in the database tells the two apart (issue #16).
"""

import hmac
import json
import re
import secrets
import unicodedata
from dataclasses import dataclass
from functools import cache
from hashlib import blake2b
from pathlib import Path
from typing import Any

from django.conf import settings

from safepassage.vault import crypto

WORDS = 8
WORDLISTS = Path(__file__).resolve().parent / "wordlists"
WORDLIST_LANGUAGES = ("ru", "uk", "be", "en")
BITS_PER_WORD = 11


@cache
def wordlist(language: str) -> tuple[str, ...]:
    if language not in WORDLIST_LANGUAGES:
        language = "en"
    words = tuple((WORDLISTS / f"{language}.txt").read_text(encoding="utf-8").split())
    assert len(words) == 2**BITS_PER_WORD
    assert len(set(words)) == len(words)
    return words


def generate(language: str) -> str:
    """Eight different words: a word said twice is misheard as a slip when read aloud, and
    makes a codename look made up (2,048 × 2,047 × … × 2,041 codenames: 87.97 bits)."""
    return " ".join(secrets.SystemRandom().sample(wordlist(language), WORDS))


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


def inquiry_lookup_hash(codename: str) -> bytes:
    """An inquirer's codename is a credential of another kind (issue #24): hashed apart, so
    an inquiry's codename opens nothing on the applicant's side, nor the other way round."""
    return blake2b(
        normalise(codename).encode(),
        key=settings.CODENAME_PEPPER,
        person=b"sp-inquiry",
        digest_size=32,
    ).digest()


def same_hash(a: crypto.Blob, b: crypto.Blob) -> bool:
    return hmac.compare_digest(bytes(a), bytes(b))


REAL, DURESS = 0, 1


@dataclass(frozen=True)
class Opened:
    key: bytes  # the case's data key, or under duress a decoy key
    duress: bool


def _wrap_secret(codename: str) -> str:
    # A keyed hash of its own (not the stored lookup hash), stretched by Argon2 after it.
    return blake2b(
        normalise(codename).encode(),
        key=settings.CODENAME_PEPPER,
        person=b"sp-codename-wrap",
        digest_size=32,
    ).hexdigest()


def seal_credential(codename: str, key: bytes, *, duress: bool = False) -> bytes:
    """What `codename` opens, at the cost fit for a high-entropy secret. Real and duress
    credentials have the same length and format."""
    payload = bytes([DURESS if duress else REAL]) + key
    return crypto.wrap_with_secret(_wrap_secret(codename), payload, crypto.HIGH_ENTROPY)


def open_credential(codename: str, sealed: crypto.Blob) -> Opened:
    """Raises crypto.DecryptionError for a wrong codename or a destroyed credential."""
    payload = crypto.unwrap_with_secret(_wrap_secret(codename), sealed)
    if len(payload) != 1 + crypto.KEY_BYTES or payload[0] not in (REAL, DURESS):
        raise crypto.DecryptionError("not a credential")
    return Opened(key=payload[1:], duress=payload[0] == DURESS)


def open_legacy_credential(codename: str, wrapped: crypto.Blob, *, duress: bool) -> Opened:
    """A credential made before the pepper keyed the wrap (the kind then sat beside it in
    plain): opened once, at its next sign-in, to be sealed again the new way."""
    return Opened(key=crypto.unwrap_with_secret(normalise(codename), wrapped), duress=duress)


# Every credential carries a notebook of the same size: a duress credential keeps there what
# its decoy shows (what the forced applicant "sent", that he "cancelled"), so the decoy holds
# from one sign-in to the next; a real credential's stays empty. All the notebooks of a case
# are sealed under one notebook key, itself sealed under each credential's own key, so that
# every sign-in, real or not, seals every notebook again: same size, same format, all
# rewritten together, a database copy, or two, cannot tell which one is ever written.
NOTEBOOK_BYTES = 4096


def new_notebook_key() -> bytes:
    return crypto.new_data_key()


def wrap_notebook_key(own_key: bytes, notebook_key: bytes) -> bytes:
    return crypto.encrypt_bytes(own_key, notebook_key)


def open_notebook_key(own_key: bytes, wrapped: bytes) -> bytes | None:
    """The case's notebook key, or None for a credential made before there was one."""
    if not wrapped:
        return None
    try:
        return crypto.decrypt_bytes(own_key, bytes(wrapped))
    except crypto.DecryptionError:
        return None


def seal_again(notebook_key: bytes, sealed: bytes) -> bytes | None:
    """The same notebook under a fresh nonce, its content never parsed; None when it is not
    sealed under this key (a credential of the case from before, with a key of its own)."""
    try:
        return crypto.encrypt_bytes(notebook_key, crypto.decrypt_bytes(notebook_key, bytes(sealed)))
    except crypto.DecryptionError:
        return None


def fit_notebook(content: dict[str, Any]) -> dict[str, Any]:
    """`content` with its oldest messages dropped until it fits a notebook. A duress session
    keeps its decoy to this too, so the decoy it shows is the one kept, and its session stays
    under the session's padding however much he writes."""
    content = {**content, "messages": list(content.get("messages", []))}
    while _notebook_text(content) is None and content["messages"]:
        content["messages"].pop(0)  # the oldest go first
    return content


def _notebook_text(content: dict[str, Any]) -> bytes | None:
    text = json.dumps(content, ensure_ascii=False).encode()
    return text if len(text) <= NOTEBOOK_BYTES else None


def seal_notebook(key: bytes, content: dict[str, Any]) -> bytes:
    text = _notebook_text(fit_notebook(content)) or b"{}"
    return crypto.encrypt_bytes(key, text.ljust(NOTEBOOK_BYTES, b" "))


def open_notebook(key: bytes, sealed: bytes) -> dict[str, Any]:
    """An empty notebook for a credential made before notebooks, or one that fails."""
    if not sealed:
        return {}
    try:
        content = json.loads(crypto.decrypt_bytes(key, bytes(sealed)))
    except (crypto.DecryptionError, ValueError):
        return {}
    return content if isinstance(content, dict) else {}
