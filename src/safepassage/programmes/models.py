"""Programmes are tenants: separate keys, staff and data."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from safepassage import backoff
from safepassage.programmes.roles import Role
from safepassage.vault import crypto


class Programme(models.Model):
    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=120)
    public_key = models.BinaryField(max_length=32)
    # Key rotation (cases/rekeying.py): which key pair is current, and the next one while a
    # rotation re-seals everything to it.
    key_generation = models.PositiveIntegerField(default=1)
    next_public_key = models.BinaryField(max_length=32, null=True)
    is_demo = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name

    def seal(self, data: bytes) -> tuple[bytes, bytes | None]:
        """`data` sealed to the programme's key, and during a key rotation to the next key
        too: the rotation then need not re-seal what was written meanwhile."""
        sealed_next = None
        if self.next_public_key is not None:
            sealed_next = crypto.seal(bytes(self.next_public_key), data)
        return crypto.seal(bytes(self.public_key), data), sealed_next


class Membership(models.Model):
    """One role of one staff member in one programme."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE)
    role = models.CharField(max_length=16, choices=Role.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "programme", "role"], name="one_role_once")
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.role} @ {self.programme}"


class StaffKey(models.Model):
    """A staff member's own X25519 key pair. Programme keys are granted by sealing them to its
    public half, so a colleague can grant without knowing his password; its private half is
    wrapped under his password (Argon2id, STAFF_KEY_PROFILE), so a password change re-wraps
    one small key and keeps every grant."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_key"
    )
    public_key = models.BinaryField(max_length=32)
    wrapped_private_key = models.BinaryField()

    def __str__(self) -> str:
        return f"key pair of {self.user}"


class KeyGrant(models.Model):
    """The programme's private key, sealed to one staff member's public key. A grant made
    before per-person key pairs is wrapped under his password instead, until his next
    sign-in seals it (programmes/keys.py)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE)
    sealed_private_key = models.BinaryField(null=True)
    wrapped_private_key = models.BinaryField(default=b"")  # the old kind; emptied once sealed
    next_sealed_private_key = models.BinaryField(null=True)  # during a key rotation
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "programme"], name="one_grant_per_programme")
        ]
        verbose_name = _("key grant")

    def __str__(self) -> str:
        return f"key of {self.programme} for {self.user}"


class Invitation(models.Model):
    """A single-use link an admin passes on through another channel: to join the programme
    with the roles the admin chose, or, for an existing account, to enrol a new second
    factor or set a new password. Only a hash of its token is kept (team.py)."""

    class Purpose(models.TextChoices):
        JOIN = "join", _("Join the programme")
        SECOND_FACTOR = "second_factor", _("Enrol a new second factor")
        PASSWORD = "password", _("Set a new password")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE)
    purpose = models.CharField(max_length=16, choices=Purpose.choices)
    username = models.CharField(max_length=150)
    roles = models.JSONField(default=list)  # for JOIN: the admin's decision
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.CASCADE, related_name="+"
    )
    token_hash = models.BinaryField(max_length=32, unique=True)
    # Only the first key holder's invitation (create-programme): the programme key, wrapped
    # under a key derived from the token, which no one but the link's holder has.
    wrapped_programme_key = models.BinaryField(null=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    claimed_at = models.DateTimeField(null=True)  # its first step was taken: nobody else's
    finished_at = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return f"{self.purpose} invitation for {self.username}"


class StaffSession(models.Model):
    """One signed-in staff session, so its owner can see and end it, and off-boarding ends
    every session of a person (the session row is keyed by a hash of its cookie)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    session_key = models.CharField(max_length=40, unique=True)
    started_at = models.DateTimeField(auto_now_add=True)
    browser = models.CharField(max_length=120, blank=True)

    def __str__(self) -> str:
        return f"session of {self.user}"


class FailedSignIns(backoff.Counter):
    """Wrong staff passwords, per username at one address and per address (keyed by a hash
    of them; programmes/throttle.py)."""


class KeyRotation(models.Model):
    """A rotation of a programme's key: an admin asks for it, a key holder carries it out
    (cases/rekeying.py)."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(null=True)
    finished_at = models.DateTimeField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["programme"],
                condition=models.Q(finished_at__isnull=True),
                name="one_open_rotation",
            )
        ]

    def __str__(self) -> str:
        return f"key rotation of {self.programme}"
