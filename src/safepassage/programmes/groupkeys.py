"""Keys per field group (issue #17): the role table (roles.FIELD_GROUPS) as an encryption fact.

- A programme has one X25519 key pair per field group (`GroupKey`); the private halves exist
  only sealed to the people whose roles read the group (`KeyGrant`, one per person and group).
- A case has one data key per group (`cases.CaseKey`), sealed to that group's public key;
  notes are sealed to the notes key directly.
- A staff session holds a *keyring*: the private keys of the groups its person reads.

So a copy of the database plus one person's password opens only the groups of his roles: a
volunteer officer's opens volunteer records, an admin's nothing.
"""

import json

from safepassage.programmes.models import GroupKey, Programme
from safepassage.programmes.roles import GROUPS
from safepassage.vault import crypto

# Group name -> that group's private key, of one programme.
Keyring = dict[str, bytes]


def create(programme: Programme) -> Keyring:
    """Give a programme its group key pairs; returns their private halves, which the caller
    must grant before they are lost."""
    keyring = {}
    for group in GROUPS:
        pair = crypto.new_keypair()
        GroupKey.objects.create(programme=programme, group=group, public_key=pair.public)
        keyring[group] = pair.private
    if hasattr(programme, "_group_keys"):
        del programme._group_keys
    return keyring


def only(keyring: Keyring, groups: frozenset[str] | set[str]) -> Keyring:
    return {group: key for group, key in keyring.items() if group in groups}


def to_bytes(keyring: Keyring) -> bytes:
    return json.dumps({group: key.hex() for group, key in sorted(keyring.items())}).encode()


def from_bytes(blob: bytes) -> Keyring:
    return {group: bytes.fromhex(key) for group, key in json.loads(blob).items()}
