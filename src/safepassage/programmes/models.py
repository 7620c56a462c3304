"""Programmes are tenants: separate keys, staff and data."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from safepassage.lib import backoff
from safepassage.programmes.roles import Role
from safepassage.vault import crypto


class Programme(models.Model):
    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=120)
    # Before keys per field group: the one key pair that opened everything. Kept only until a
    # key holder's first sign-in splits the programme's data into groups (groupkeys.py).
    public_key = models.BinaryField(max_length=32, null=True)
    # Key rotation (cases/rekeying.py): which key pairs are current. A session holding an
    # older generation's keys is sent to sign in again.
    key_generation = models.PositiveIntegerField(default=1)
    is_demo = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name

    def group_keys(self) -> dict[str, "GroupKey"]:
        """The public keys of each field group (one query per instance)."""
        if not hasattr(self, "_group_keys"):
            self._group_keys = {key.group: key for key in GroupKey.objects.filter(programme=self)}
        return self._group_keys

    @property
    def rotating(self) -> bool:
        return any(key.next_public_key is not None for key in self.group_keys().values())

    def seal(self, group: str, data: bytes) -> tuple[bytes, bytes | None]:
        """`data` sealed to the key of one field group, and during a key rotation to its next
        key too: the rotation then need not re-seal what was written meanwhile."""
        key = self.group_keys()[group]
        sealed_next = None
        if key.next_public_key is not None:
            sealed_next = crypto.seal(bytes(key.next_public_key), data)
        return crypto.seal(bytes(key.public_key), data), sealed_next


class GroupKey(models.Model):
    """The public half of one field group's key pair (roles.FIELD_GROUPS). The private half
    exists only sealed to the people whose roles read the group (KeyGrant)."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE)
    group = models.CharField(max_length=16)
    public_key = models.BinaryField(max_length=32)
    next_public_key = models.BinaryField(max_length=32, null=True)  # during a key rotation

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["programme", "group"], name="one_key_per_group")
        ]

    def __str__(self) -> str:
        return f"{self.group} key of {self.programme}"


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
    """The private key of one field group of a programme, sealed to one staff member's public
    key. `group` is empty for a grant of the one key a programme had before keys per field
    group; a grant made before per-person key pairs is wrapped under his password instead,
    until his next sign-in seals it (programmes/session_keys.py)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE)
    group = models.CharField(max_length=16, default="")
    sealed_private_key = models.BinaryField(null=True)
    wrapped_private_key = models.BinaryField(default=b"")  # the old kind; emptied once sealed
    next_sealed_private_key = models.BinaryField(null=True)  # during a key rotation
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "programme", "group"], name="one_grant_per_group"
            )
        ]
        verbose_name = _("key grant")

    def __str__(self) -> str:
        return f"{self.group or 'whole'} key of {self.programme} for {self.user}"


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
    # Only the first key holders' invitations (create-programme): the keys of the groups
    # their roles read, wrapped under a key derived from the token, which no one but the
    # link's holder has.
    wrapped_programme_key = models.BinaryField(null=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    claimed_at = models.DateTimeField(null=True)  # its first step was taken: nobody else's
    finished_at = models.DateTimeField(null=True)
    # A password reset a second admin confirmed: without it, only the account's owner can
    # finish it, with one of his recovery codes (issue #22, point 3).
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True)

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
