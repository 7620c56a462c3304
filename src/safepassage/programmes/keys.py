"""The programme private keys of a staff session.

At the password step each key grant is unwrapped with the password and put in the session
sealed under the session cookie (vault/sessions.py). A key is handed out only to a session
that has also passed the second factor.
"""

from django.contrib.auth.models import User
from django.http import HttpRequest

from safepassage.programmes.access import is_verified
from safepassage.programmes.models import KeyGrant, Programme
from safepassage.vault.crypto import DecryptionError, unwrap_with_secret


def _name(programme_id: int) -> str:
    return f"programme-key:{programme_id}"


def unlock(request: HttpRequest, user: User, password: str) -> int:
    """Unwrap every key granted to `user` into the session; returns how many."""
    unlocked = 0
    for grant in KeyGrant.objects.filter(user=user):
        try:
            key = unwrap_with_secret(password, grant.wrapped_private_key)
        except DecryptionError:
            continue  # a grant wrapped under an older password: re-granted by an admin
        request.session.put_secret(_name(grant.programme_id), key)  # type: ignore[attr-defined]
        unlocked += 1
    return unlocked


def private_key(request: HttpRequest, programme: Programme) -> bytes | None:
    if not is_verified(request.user):
        return None
    return request.session.get_secret(_name(programme.pk))  # type: ignore[attr-defined]
