"""Encrypted, integrity-checked backups: the database and the installation's secrets in one
file that is useless without its passphrase.

Layout: a fixed header (magic, Argon2id salt and cost), then a libsodium secretstream
(XChaCha20-Poly1305) of length-prefixed chunks. The header is the first chunk's associated
data and the last chunk carries the FINAL tag, so any change, reordering or truncation is
refused. Inside is a tar with `manifest.json` (the SHA-256 of every other member), the
database dump and `secrets.json`. Written by hand because nothing in PyPI does authenticated
streaming encryption of a file under a passphrase with libsodium, which the vault already
trusts; the primitives are PyNaCl's.
"""

import hashlib
import io
import json
import os
import struct
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import nacl.bindings as sodium
import nacl.pwhash
import nacl.utils

MAGIC = b"SAFEPASSAGE-BACKUP-1\n"
SALT = nacl.pwhash.argon2id.SALTBYTES
HEADER = struct.Struct(f">{len(MAGIC)}s{SALT}sIQ")
CHUNK = 1 << 20
FINAL = sodium.crypto_secretstream_xchacha20poly1305_TAG_FINAL
MESSAGE = sodium.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE
COST = (nacl.pwhash.argon2id.OPSLIMIT_MODERATE, nacl.pwhash.argon2id.MEMLIMIT_MODERATE)
MIN_PASSPHRASE = 16


class BackupError(Exception):
    """The backup is damaged, altered, incomplete, or the passphrase is wrong."""


def _key(passphrase: str, salt: bytes, ops: int, mem: int) -> bytes:
    if not (
        nacl.pwhash.argon2id.OPSLIMIT_MIN <= ops <= nacl.pwhash.argon2id.OPSLIMIT_SENSITIVE
        and nacl.pwhash.argon2id.MEMLIMIT_MIN <= mem <= nacl.pwhash.argon2id.MEMLIMIT_SENSITIVE
    ):
        raise BackupError("unexpected key-derivation cost")
    return nacl.pwhash.argon2id.kdf(
        sodium.crypto_secretstream_xchacha20poly1305_KEYBYTES,
        passphrase.encode(),
        salt,
        opslimit=ops,
        memlimit=mem,
    )


def encrypt_stream(
    plain: BinaryIO, out: BinaryIO, passphrase: str, cost: tuple[int, int] = COST
) -> None:
    if len(passphrase) < MIN_PASSPHRASE:
        raise BackupError(f"the passphrase must have at least {MIN_PASSPHRASE} characters")
    salt = nacl.utils.random(SALT)
    header = HEADER.pack(MAGIC, salt, *cost)
    state = sodium.crypto_secretstream_xchacha20poly1305_state()
    stream_header = sodium.crypto_secretstream_xchacha20poly1305_init_push(
        state, _key(passphrase, salt, *cost)
    )
    out.write(header + stream_header)
    associated: bytes | None = header
    chunk = plain.read(CHUNK)
    while True:
        following = plain.read(CHUNK)
        tag = MESSAGE if following else FINAL
        sealed = sodium.crypto_secretstream_xchacha20poly1305_push(state, chunk, associated, tag)
        out.write(struct.pack(">I", len(sealed)) + sealed)
        associated = None
        if tag == FINAL:
            return
        chunk = following


def decrypt_stream(sealed: BinaryIO, passphrase: str) -> Iterator[bytes]:
    header = sealed.read(HEADER.size)
    if len(header) != HEADER.size:
        raise BackupError("not a Safe Passage backup")
    magic, salt, ops, mem = HEADER.unpack(header)
    if magic != MAGIC:
        raise BackupError("not a Safe Passage backup")
    stream_header = sealed.read(sodium.crypto_secretstream_xchacha20poly1305_HEADERBYTES)
    state = sodium.crypto_secretstream_xchacha20poly1305_state()
    try:
        sodium.crypto_secretstream_xchacha20poly1305_init_pull(
            state, stream_header, _key(passphrase, salt, ops, mem)
        )
    except Exception as exc:  # libsodium's own errors carry no content
        raise BackupError("the backup header is damaged") from exc
    associated: bytes | None = header
    while True:
        size = sealed.read(4)
        if len(size) != 4:
            raise BackupError("the backup is truncated")
        body = sealed.read(struct.unpack(">I", size)[0])
        try:
            chunk, tag = sodium.crypto_secretstream_xchacha20poly1305_pull(state, body, associated)
        except Exception as exc:
            raise BackupError("wrong passphrase, or the backup was altered") from exc
        associated = None
        yield chunk
        if tag == FINAL:
            if sealed.read(1):
                raise BackupError("data after the end of the backup")
            return


# --- The archive inside -----------------------------------------------------------------------
# Members go through temporary files, never whole into memory: a database can be large.


@dataclass(frozen=True)
class Contents:
    manifest: dict[str, Any]
    members: dict[str, Path]  # extracted into the directory given to `read`


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def pack(members: dict[str, Path], manifest: dict[str, Any], archive: BinaryIO) -> None:
    """A tar of the member files plus a manifest with each one's SHA-256."""
    manifest = {**manifest, "sha256": {name: _sha256(path) for name, path in members.items()}}
    with tarfile.open(fileobj=archive, mode="w") as tar:
        for name, path in members.items():
            tar.add(path, arcname=name, recursive=False)
        raw = json.dumps(manifest, indent=2).encode()
        info = tarfile.TarInfo("manifest.json")
        info.size = len(raw)
        tar.addfile(info, io.BytesIO(raw))
    archive.seek(0)


def unpack(archive: BinaryIO, into: Path) -> Contents:
    members: dict[str, Path] = {}
    manifest: dict[str, Any] = {}
    try:
        with tarfile.open(fileobj=archive, mode="r:") as tar:
            for info in tar.getmembers():
                if not info.isfile() or "/" in info.name or info.name.startswith("."):
                    raise BackupError(f"unexpected member {info.name!r}")
                handle = tar.extractfile(info)
                assert handle is not None
                if info.name == "manifest.json":
                    manifest = json.loads(handle.read())
                    continue
                target = into / info.name
                with open(target, "wb") as out:
                    while block := handle.read(CHUNK):
                        out.write(block)
                members[info.name] = target
    except (tarfile.TarError, json.JSONDecodeError) as exc:
        raise BackupError("the archive inside the backup is damaged") from exc
    expected = manifest.get("sha256", {})
    if set(expected) != set(members):
        raise BackupError("the manifest does not list exactly the members present")
    for name, path in members.items():
        if _sha256(path) != expected[name]:
            raise BackupError(f"{name} does not match its checksum")
    return Contents(manifest, members)


def write(path: Path, members: dict[str, Path], manifest: dict[str, Any], passphrase: str) -> None:
    """Write the backup beside `path` and move it into place once it is on disk."""
    partial = path.with_name(path.name + ".partial")
    handle = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with tempfile.TemporaryFile() as archive, os.fdopen(handle, "wb") as out:
        pack(members, manifest, archive)
        encrypt_stream(archive, out, passphrase)
        out.flush()
        os.fsync(out.fileno())
    os.replace(partial, path)


def read(path: Path, passphrase: str, into: Path) -> Contents:
    """Decrypt and check the backup, extracting its members into the directory `into`."""
    with open(path, "rb") as sealed, tempfile.TemporaryFile() as archive:
        for chunk in decrypt_stream(sealed, passphrase):
            archive.write(chunk)
        archive.seek(0)
        return unpack(archive, into)
