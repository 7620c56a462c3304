"""Envelope encryption with libsodium (PyNaCl).

- A programme has an X25519 key pair per field group. The public keys are stored; each private
  key is stored only sealed to the staff key pairs of the people who read the group, whose own
  private keys are wrapped under their passwords (programmes/groupkeys.py, staff_keys.py).
- Each case has a random data key per field group. Its fields are encrypted with them
  (XSalsa20-Poly1305); each data key is sealed to its group's public key, and the messages
  key is also wrapped under the applicant's codename.
- Wrapping under a human secret uses Argon2id with a per-wrap salt; the cost is stored with the
  wrapped blob so it can be raised later without breaking old wraps.
"""

import json
from dataclasses import dataclass
from hashlib import blake2b
from typing import Any

import nacl.exceptions
import nacl.pwhash
import nacl.secret
import nacl.utils
from django.conf import settings
from nacl.public import PrivateKey, PublicKey, SealedBox

KEY_BYTES = nacl.secret.SecretBox.KEY_SIZE

# What a BinaryField reads back: bytes on SQLite, a memoryview on PostgreSQL.
Blob = bytes | memoryview
SALT_BYTES = nacl.pwhash.argon2id.SALTBYTES
WRAP_VERSION = 1

KDF_PROFILES = {
    "interactive": (
        nacl.pwhash.argon2id.OPSLIMIT_INTERACTIVE,
        nacl.pwhash.argon2id.MEMLIMIT_INTERACTIVE,
    ),
    "moderate": (nacl.pwhash.argon2id.OPSLIMIT_MODERATE, nacl.pwhash.argon2id.MEMLIMIT_MODERATE),
    "minimum": (nacl.pwhash.argon2id.OPSLIMIT_MIN, nacl.pwhash.argon2id.MEMLIMIT_MIN),
}
OPS_RANGE = (nacl.pwhash.argon2id.OPSLIMIT_MIN, nacl.pwhash.argon2id.OPSLIMIT_SENSITIVE)
MEM_RANGE = (nacl.pwhash.argon2id.MEMLIMIT_MIN, nacl.pwhash.argon2id.MEMLIMIT_SENSITIVE)
# For secrets the server generated with at least 80 bits (codenames): stretching adds nothing
# against 2**80 guesses, and at the interactive cost every application and every entry would
# spend ~100 ms and 64 MiB, turning a burst after a leaflet drop into a denial of service.
HIGH_ENTROPY = "minimum"


class DecryptionError(Exception):
    """Ciphertext was altered, or the key is wrong or destroyed. Carries no plaintext."""


@dataclass(frozen=True)
class Keypair:
    public: bytes
    private: bytes


def new_keypair() -> Keypair:
    private = PrivateKey.generate()
    return Keypair(public=bytes(private.public_key), private=bytes(private))


def new_data_key() -> bytes:
    return nacl.utils.random(KEY_BYTES)


def derive_key(key: bytes, purpose: str) -> bytes:
    """A subkey for one purpose, so that one key never serves two jobs."""
    return blake2b(purpose.encode(), key=key[:64], digest_size=KEY_BYTES).digest()


def seal(public_key: bytes, data: bytes) -> bytes:
    """Encrypt to a public key; only the matching private key opens it."""
    return SealedBox(PublicKey(public_key)).encrypt(data)


def unseal(private_key: bytes, sealed: Blob) -> bytes:
    try:
        return SealedBox(PrivateKey(private_key)).decrypt(bytes(sealed))
    except (nacl.exceptions.CryptoError, ValueError, TypeError) as exc:
        raise DecryptionError("sealed box could not be opened") from exc


def encrypt_bytes(key: bytes, data: bytes) -> bytes:
    return bytes(nacl.secret.SecretBox(key).encrypt(data))


def decrypt_bytes(key: bytes, blob: Blob) -> bytes:
    try:
        return nacl.secret.SecretBox(key).decrypt(bytes(blob))
    except (nacl.exceptions.CryptoError, ValueError, TypeError) as exc:
        raise DecryptionError("ciphertext could not be opened") from exc


def encrypt_json(key: bytes, value: Any) -> bytes:
    return encrypt_bytes(key, json.dumps(value, ensure_ascii=False).encode())


def decrypt_json(key: bytes, blob: Blob) -> Any:
    return json.loads(decrypt_bytes(key, blob))


def _kdf(secret: str, salt: bytes, ops: int, mem: int) -> bytes:
    return nacl.pwhash.argon2id.kdf(KEY_BYTES, secret.encode(), salt, opslimit=ops, memlimit=mem)


def wrap_with_secret(secret: str, data: bytes, profile: str | None = None) -> bytes:
    """Encrypt `data` under a key stretched from a human secret (password or codename)."""
    ops, mem = KDF_PROFILES[profile or settings.KDF_PROFILE]
    salt = nacl.utils.random(SALT_BYTES)
    header = bytes([WRAP_VERSION]) + ops.to_bytes(4, "big") + mem.to_bytes(8, "big") + salt
    return header + encrypt_bytes(_kdf(secret, salt, ops, mem), data)


def unwrap_with_secret(secret: str, wrapped: Blob) -> bytes:
    wrapped = bytes(wrapped)
    if len(wrapped) < 13 + SALT_BYTES or wrapped[0] != WRAP_VERSION:
        raise DecryptionError("unknown wrap format")
    ops = int.from_bytes(wrapped[1:5], "big")
    mem = int.from_bytes(wrapped[5:13], "big")
    # The cost travels with the blob; an altered header must not make one sign-in run for
    # hours or ask for terabytes, so anything outside libsodium's own range is refused.
    # Argon2 counts memory in KiB, so a changed low byte would derive the same key: only whole
    # KiB are accepted, and every change to the header is then refused.
    in_range = OPS_RANGE[0] <= ops <= OPS_RANGE[1] and MEM_RANGE[0] <= mem <= MEM_RANGE[1]
    if not in_range or mem % 1024:
        raise DecryptionError("wrap cost out of range")
    salt = wrapped[13 : 13 + SALT_BYTES]
    return decrypt_bytes(_kdf(secret, salt, ops, mem), wrapped[13 + SALT_BYTES :])
