"""Staff keys: each person's own key pair, the programme group keys granted to it, and the keys
of a staff session (its keyring per programme: groupkeys.py).

At the password step the person's private key is unwrapped with the password, each grant is
unsealed with it, and the group keys go into the session sealed under the session cookie
(vault/sessions.py); a key is handed out only to a session that has also passed the second
factor. A person without a key pair gets one at that moment, and a grant of the old kind
(wrapped under his password) is sealed to it: existing grants migrate at each person's next
sign-in, and nothing else has to happen.
"""

from django.contrib.auth.models import User
from django.db import transaction
from django.dispatch import Signal
from django.http import HttpRequest

from safepassage.programmes.access import is_verified
from safepassage.programmes.groupkeys import Keyring
from safepassage.programmes.models import KeyGrant, Programme
from safepassage.programmes.roles import GROUPS
from safepassage.programmes.staff_keys import own_key_pair
from safepassage.vault import crypto
from safepassage.vault.crypto import DecryptionError, unwrap_with_secret
from safepassage.vault.sessions import store_of

# Sent at sign-in for each programme whose keys were opened, so apps that keep things sealed
# to them can do what only a key holder's session can (passage shares unit keys with new
# liaisons).
programme_key_opened = Signal()  # programme_id, keyring
# Sent at sign-in with the one key a programme had before keys per field group: the receiver
# (cases/splitting.py) splits the programme's data into groups and grants their keys.
legacy_key_opened = Signal()  # programme_id, private_key
OWN_KEY = "own-key"


def _name(programme_id: int, generation: int, group: str) -> str:
    """A rotation makes a new generation: a session holding an older key finds none under the
    current name, and is sent to sign in again (cases.pages.locked)."""
    return f"programme-key:{programme_id}:{generation}:{group}"


def _open(private: bytes, password: str, key_grant: KeyGrant) -> bytes:
    """The grant's key; a grant of the old kind (wrapped under his password) is sealed to his
    key pair on the way."""
    if key_grant.sealed_private_key is not None:
        return crypto.unseal(private, bytes(key_grant.sealed_private_key))
    return unwrap_with_secret(password, bytes(key_grant.wrapped_private_key))


def _split_legacy(user: User, pair: crypto.Keypair, password: str) -> None:
    """Grants of a programme's one key from before keys per field group: opening one splits
    that programme (every grant of it is then replaced by group grants)."""
    legacy = KeyGrant.objects.select_for_update().filter(user=user, group="")
    for key_grant in legacy.select_related("programme"):
        try:
            key = _open(pair.private, password, key_grant)
        except DecryptionError:
            continue
        legacy_key_opened.send(
            sender=KeyGrant, programme_id=key_grant.programme_id, private_key=key
        )


def unlock(request: HttpRequest, user: User, password: str) -> int:
    """Open every key granted to `user` into the session; returns for how many programmes."""
    with transaction.atomic():
        pair = own_key_pair(user, password)
        # His own private key opens what is sealed to him alone (a liaison's unit keys).
        store_of(request).put_secret(OWN_KEY, pair.private)
        _split_legacy(user, pair, password)
        keyrings: dict[int, tuple[Programme, Keyring, Keyring]] = {}
        grants = KeyGrant.objects.select_for_update().select_related("programme")
        for key_grant in grants.filter(user=user).exclude(group=""):
            try:
                key = _open(pair.private, password, key_grant)
                if key_grant.sealed_private_key is None:
                    key_grant.sealed_private_key = crypto.seal(pair.public, key)
                    key_grant.wrapped_private_key = b""
                    key_grant.save(update_fields=["sealed_private_key", "wrapped_private_key"])
                next_key = None
                if key_grant.next_sealed_private_key is not None:  # a rotation under way
                    next_key = crypto.unseal(pair.private, bytes(key_grant.next_sealed_private_key))
            except DecryptionError:
                continue  # sealed to a pair or wrapped under a password he no longer has
            programme, current, upcoming = keyrings.setdefault(
                key_grant.programme_id, (key_grant.programme, {}, {})
            )
            current[key_grant.group] = key
            if next_key is not None:
                upcoming[key_grant.group] = next_key
        for programme, current, upcoming in keyrings.values():
            put_keyring(request, programme, programme.key_generation, current)
            put_keyring(request, programme, programme.key_generation + 1, upcoming)
            programme_key_opened.send(sender=KeyGrant, programme_id=programme.pk, keyring=current)
    return len(keyrings)


def keyring(request: HttpRequest, programme: Programme) -> Keyring:
    """The group keys of `programme` this session holds (none unless it passed the second
    factor)."""
    return keyring_of(request, programme.pk, programme.key_generation)


def keyring_of(request: HttpRequest, programme_id: int, generation: int | None = None) -> Keyring:
    if not is_verified(request.user):
        return {}
    if generation is None:
        generation = (
            Programme.objects.filter(pk=programme_id)
            .values_list("key_generation", flat=True)
            .first()
        )
        if generation is None:
            return {}
    found = {}
    for group in GROUPS:
        key = store_of(request).get_secret(_name(programme_id, generation, group))
        if key is not None:
            found[group] = key
    return found


def next_keyring(request: HttpRequest, programme: Programme) -> Keyring:
    """The keys a rotation re-seals to, in a key holder's session that holds them."""
    if not programme.rotating:
        return {}
    return keyring_of(request, programme.pk, programme.key_generation + 1)


def put_keyring(request: HttpRequest, programme: Programme, generation: int, keys: Keyring) -> None:
    for group, key in keys.items():
        store_of(request).put_secret(_name(programme.pk, generation, group), key)


def own_private_key(request: HttpRequest) -> bytes | None:
    if not is_verified(request.user):
        return None
    return store_of(request).get_secret(OWN_KEY)
