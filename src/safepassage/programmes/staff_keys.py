"""Each staff member's own key pair, and granting programme group keys to it (issue #17): sealed
to his public key, so a key holder grants without knowing his password, and a password change
re-wraps one small key and keeps every grant. The staff session's keys are in keys.py."""

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction

from safepassage.programmes.groupkeys import Keyring
from safepassage.programmes.models import KeyGrant, Programme, StaffKey
from safepassage.vault import crypto
from safepassage.vault.crypto import DecryptionError, unwrap_with_secret, wrap_with_secret


def own_key_pair(user: User, password: str) -> crypto.Keypair:
    """His key pair, the private half opened with his password; made now if he has none yet.
    Raises DecryptionError for a wrong password. If his password was set elsewhere (a shell's
    `changepassword`), the right password no longer opens the old wrap: he gets a new pair,
    and what was sealed to the old one is lost as with a forgotten password (a key holder
    grants it again), instead of his sign-in failing."""
    staff_key = StaffKey.objects.filter(user=user).first()
    if staff_key is not None:
        try:
            private = unwrap_with_secret(password, bytes(staff_key.wrapped_private_key))
            return crypto.Keypair(public=bytes(staff_key.public_key), private=private)
        except DecryptionError:
            if not user.check_password(password):
                raise
            staff_key.delete()
    pair = crypto.new_keypair()
    StaffKey.objects.create(
        user=user,
        public_key=pair.public,
        wrapped_private_key=wrap_with_secret(password, pair.private, settings.STAFF_KEY_PROFILE),
    )
    return pair


def own_private_key(user: User, password: str) -> bytes:
    return own_key_pair(user, password).private


def grant(
    programme: Programme, user: User, keyring: Keyring, next_keyring: Keyring | None = None
) -> None:
    """Give `user` these group keys of the programme: each sealed to his public key, no
    password needed. He must have a key pair (every account made by add_staff has one).
    During a key rotation each group's next key goes with it (`next_keyring`)."""
    public = bytes(StaffKey.objects.get(user=user).public_key)
    next_keyring = next_keyring or {}
    for group, key in keyring.items():
        next_key = next_keyring.get(group)
        KeyGrant.objects.update_or_create(
            user=user,
            programme=programme,
            group=group,
            defaults={
                "sealed_private_key": crypto.seal(public, key),
                "wrapped_private_key": b"",
                "next_sealed_private_key": crypto.seal(public, next_key) if next_key else None,
            },
        )


@transaction.atomic
def change_password(user: User, old: str, new: str) -> None:
    """Re-wrap his private key under the new password: every grant stays his."""
    private = own_private_key(user, old)
    StaffKey.objects.filter(user=user).update(
        wrapped_private_key=wrap_with_secret(new, private, settings.STAFF_KEY_PROFILE)
    )
    user.set_password(new)
    user.save(update_fields=["password"])
