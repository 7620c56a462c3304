"""Staff keys: each person's own key pair, the programme keys granted to it, and the keys of a
staff session.

At the password step the person's private key is unwrapped with the password, each grant is
unsealed with it, and the programme keys go into the session sealed under the session cookie
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
from safepassage.programmes.models import KeyGrant, Programme
from safepassage.programmes.staff_keys import own_key_pair
from safepassage.vault import crypto
from safepassage.vault.crypto import DecryptionError, unwrap_with_secret

# Sent at sign-in for each programme key opened, so apps that keep things sealed to it can do
# what only a key holder's session can (passage shares unit keys with new liaisons).
programme_key_opened = Signal()  # programme_id, private_key
OWN_KEY = "own-key"


def _name(programme_id: int, generation: int) -> str:
    """A rotation makes a new generation: a session holding an older key finds none under the
    current name, and is sent to sign in again (cases.views.locked)."""
    return f"programme-key:{programme_id}:{generation}"


def unlock(request: HttpRequest, user: User, password: str) -> int:
    """Open every key granted to `user` into the session; returns how many."""
    with transaction.atomic():
        pair = own_key_pair(user, password)
        # His own private key opens what is sealed to him alone (a liaison's unit keys).
        request.session.put_secret(OWN_KEY, pair.private)  # type: ignore[attr-defined]
        unlocked = 0
        grants = KeyGrant.objects.select_for_update().select_related("programme")
        for key_grant in grants.filter(user=user):
            try:
                if key_grant.sealed_private_key is not None:
                    key = crypto.unseal(pair.private, bytes(key_grant.sealed_private_key))
                else:
                    key = unwrap_with_secret(password, bytes(key_grant.wrapped_private_key))
                    key_grant.sealed_private_key = crypto.seal(pair.public, key)
                    key_grant.wrapped_private_key = b""
                    key_grant.save(update_fields=["sealed_private_key", "wrapped_private_key"])
                next_key = None
                if key_grant.next_sealed_private_key is not None:  # a rotation under way
                    next_key = crypto.unseal(pair.private, bytes(key_grant.next_sealed_private_key))
            except DecryptionError:
                continue  # sealed to a pair or wrapped under a password he no longer has
            programme = key_grant.programme
            put_private_key(request, programme, programme.key_generation, key)
            if next_key is not None:
                put_private_key(request, programme, programme.key_generation + 1, next_key)
            programme_key_opened.send(
                sender=KeyGrant, programme_id=key_grant.programme_id, private_key=key
            )
            unlocked += 1
    return unlocked


def private_key(request: HttpRequest, programme: Programme) -> bytes | None:
    return private_key_of(request, programme.pk, programme.key_generation)


def private_key_of(
    request: HttpRequest, programme_id: int, generation: int | None = None
) -> bytes | None:
    if not is_verified(request.user):
        return None
    if generation is None:
        generation = (
            Programme.objects.filter(pk=programme_id)
            .values_list("key_generation", flat=True)
            .first()
        )
        if generation is None:
            return None
    return request.session.get_secret(_name(programme_id, generation))  # type: ignore[attr-defined]


def next_private_key(request: HttpRequest, programme: Programme) -> bytes | None:
    """The key a rotation re-seals to, in a key holder's session that holds it."""
    if programme.next_public_key is None:
        return None
    return private_key_of(request, programme.pk, programme.key_generation + 1)


def put_private_key(
    request: HttpRequest, programme: Programme, generation: int, key: bytes
) -> None:
    request.session.put_secret(_name(programme.pk, generation), key)  # type: ignore[attr-defined]


def own_private_key(request: HttpRequest) -> bytes | None:
    if not is_verified(request.user):
        return None
    return request.session.get_secret(OWN_KEY)  # type: ignore[attr-defined]
