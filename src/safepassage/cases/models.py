"""What a case is. Everything that could identify or locate an applicant is ciphertext:
each field group's texts under the case's data key for that group (CaseKey), notes sealed
to the programme's notes key (programmes/groupkeys.py)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from safepassage.cases.states import State
from safepassage.programmes.models import Programme
from safepassage.vault.fields import ServerSealedTextField


class Case(models.Model):
    class Channel(models.TextChoices):
        """How the applicant reached the programme; all enter through the same rules."""

        WEB = "web", _("Website")
        TELEGRAM = "telegram", _("Telegram bot")
        HOTLINE = "hotline", _("Hotline (operator)")

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT)
    # A random reference for staff; it says nothing about the applicant.
    reference = models.CharField(max_length=16, unique=True)
    state = models.CharField(max_length=16, choices=State.choices, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Before keys per field group: the one data key, sealed to the programme's one key (kept
    # until a key holder's sign-in splits the case: programmes/groupkeys.py). Since then each
    # group has its own data key (CaseKey); deleting them shreds the case.
    sealed_key = models.BinaryField(null=True)
    # The circumstances (and, before the split, the identity too) and the identity, each
    # under its group's data key.
    dossier = models.BinaryField()
    identity = models.BinaryField(default=b"")
    # Idempotent submission: a hash of the form's one-time token, and for a short while the
    # codename encrypted under a key derived from that token, so a resubmit shows it again.
    submission_hash = models.BinaryField(max_length=32, unique=True, null=True)
    receipt = models.BinaryField(null=True)
    receipt_expires = models.DateTimeField(null=True, db_index=True)
    probe_flagged = models.BooleanField(default=False)
    indexed_at = models.DateTimeField(null=True)
    awaiting_reply = models.BooleanField(default=False, db_index=True)
    # Since when his oldest unanswered message waits: the inbox's order, which more messages
    # cannot buy.
    awaiting_since = models.DateTimeField(null=True)
    channel = models.CharField(max_length=16, choices=Channel.choices, default=Channel.WEB)
    # The campaign that brought him, if he came with its code (nothing else of how he came),
    # as a fixed-width number sealed by the server, 0 for none: a copy of the database does
    # not say which cases a campaign brought, nor whether a case came with one (issue #22,
    # point 7). The figures read `CampaignCount`.
    # NULL only on rows older than the field; the stubs' field type cannot say "str, or None
    # on old rows", hence the ignore.
    campaign_sealed = ServerSealedTextField(null=True)  # type: ignore[misc]
    # His own key pair, the private half under his messages data key (what his real codename
    # opens): every sign-in seals its kind to it, so his real session learns of a duress
    # sign-in and nothing else can (cases/sign_ins.py). None for a case from before.
    applicant_public_key = models.BinaryField(null=True)
    applicant_private_key = models.BinaryField(null=True)
    # When the case reached an ended state: retention counts from here.
    ended_at = models.DateTimeField(null=True, db_index=True)
    shredded_at = models.DateTimeField(null=True)

    class Meta:
        indexes = [
            models.Index(fields=["programme", "state", "updated_at"]),
            # The queue's order (first come, first served), with the state to filter on while
            # walking it.
            models.Index(fields=["programme", "created_at", "state"], name="case_queue_order"),
            # The inbox and the attention list on every staff page: the few cases waiting for
            # an answer, in the order they have waited, without reading the others.
            models.Index(
                fields=["programme", "awaiting_since", "id"],
                condition=models.Q(awaiting_reply=True),
                name="case_awaiting_reply_order",
            ),
            # Cases whose blind indexes are still to be computed: few, among very many.
            models.Index(
                fields=["programme", "id"],
                condition=models.Q(indexed_at__isnull=True),
                name="case_not_yet_indexed",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @staticmethod
    def sealed_campaign(campaign_id: int | None) -> str:
        """What `campaign_sealed` holds: the same length whether or not he came with one."""
        return f"{campaign_id or 0:012d}"

    @property
    def campaign_id(self) -> int | None:
        return int(self.campaign_sealed or 0) or None


class CaseKey(models.Model):
    """The data key of one field group of a case (roles.CASE_KEY_GROUPS), sealed to the
    programme's key for that group; during a key rotation, to its next key too."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="keys")
    group = models.CharField(max_length=16)
    sealed = models.BinaryField()
    sealed_next = models.BinaryField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "group"], name="one_key_per_case_group")
        ]
        indexes = [
            # A rotation's next batch: the keys of a group not yet re-sealed.
            models.Index(
                fields=["group", "id"],
                condition=models.Q(sealed_next__isnull=True),
                name="casekey_to_reseal",
            )
        ]

    def __str__(self) -> str:
        return f"{self.group} key of {self.case}"


class Codename(models.Model):
    """An applicant credential: a keyed hash to find it, and what it opens sealed under it
    (vault/codenames.py). A real and a duress codename look the same here: no flag, no time,
    and their rows are written again in random order when a duress codename is added."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="codenames")
    lookup_hash = models.BinaryField(max_length=32, unique=True)
    wrapped_key = models.BinaryField()
    notebook = models.BinaryField(default=b"")  # fixed size, sealed (vault/codenames.py)
    # The key every notebook of the case is sealed under, sealed under this credential's own
    # key: any sign-in seals every notebook again (cases/applicant_writers.py). Empty for a
    # credential made before notebooks shared a key, until its next sign-in.
    notebook_key = models.BinaryField(default=b"")
    # Only for a credential made before issue #16 (its kind was kept in plain): null for
    # every credential since, and set to null when an old one is sealed again at sign-in.
    legacy_duress = models.BooleanField(null=True, default=None)

    def __str__(self) -> str:
        return f"codename of {self.case}"


class Message(models.Model):
    class Sender(models.TextChoices):
        APPLICANT = "applicant"
        STAFF = "staff"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="messages")
    sender = models.CharField(max_length=10, choices=Sender.choices)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    body = models.BinaryField()

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"message {self.pk} on {self.case}"


class Note(models.Model):
    """Staff-only notes, sealed to the programme: a codename does not open them."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    body = models.BinaryField()
    body_next = models.BinaryField(null=True)  # sealed to the next programme key, in a rotation

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"note {self.pk} on {self.case}"


class BlindIndex(models.Model):
    """Keyed digests of normalised fields, for equality look-ups without plaintext."""

    class Kind(models.TextChoices):
        IDENTITY = "identity"  # surname, first names, date of birth
        SERVICE_NUMBER = "service_number"
        DIRECTION = "direction"
        SUBMISSION = "submission"  # direction, unit and equipment: near-identical forms

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="blind_indexes")
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    digest = models.BinaryField(max_length=16)
    digest_next = models.BinaryField(max_length=16, null=True)  # under the next key

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "kind"], name="one_index_per_kind")]
        indexes = [models.Index(fields=["programme", "kind", "digest"])]

    def __str__(self) -> str:
        return f"{self.kind} index of {self.case}"


class SignIn(models.Model):
    """One codename sign-in, real or under duress: the same row either way. Its kind is
    sealed to the programme's notes key (`for_staff`, read and deleted by a key holder's
    session) and to the case's own key (`for_applicant`, read by his real session)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="sign_ins")
    created_at = models.DateTimeField(auto_now_add=True)
    for_staff = models.BinaryField()
    for_staff_next = models.BinaryField(null=True)  # in a notes key rotation
    for_applicant = models.BinaryField()

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"sign-in {self.pk}"


class ProbeSignal(models.Model):
    """A reason to suspect the application is a probe by the adversary."""

    class Kind(models.TextChoices):
        MANUAL = "manual"
        BURST = "burst"
        IDENTITY_IN_TWO_DIRECTIONS = "identity_two_directions"
        DURESS = "duress"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="probe_signals")
    # The case's programme, kept on the signal so that the attention list shown on every
    # staff page starts from the few open signals, not from the programme's cases (issue #25).
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    cleared_at = models.DateTimeField(null=True)
    cleared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Why an automatic signal was raised: the references of the earlier cases it matched,
    # shown to the verifier (a reference names no one).
    like_cases = models.JSONField(default=list)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["case", "kind"],
                condition=models.Q(cleared_at__isnull=True),
                name="one_open_signal_per_kind",
            )
        ]
        indexes = [
            models.Index(
                fields=["programme", "created_at"],
                condition=models.Q(cleared_at__isnull=True),
                name="open_probe_signals",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} on {self.case}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.programme_id is None:  # every writer names the case; its programme follows
            self.programme_id = self.case.programme_id
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class CampaignCount(models.Model):
    """How many cases each campaign brought on each day (the staff's calendar day they came
    in), by the state each is in now. Kept by `cases.counts` beside `StateCount`: the only
    plain trace of a campaign, a counter, never a case."""

    campaign = models.ForeignKey("outreach.Campaign", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    state = models.CharField(max_length=16, choices=State.choices)
    count = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "day", "state"], name="one_count_per_campaign_day_state"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.state}: {self.count}"


class StateCount(models.Model):
    """How many cases of a programme are in each state. Kept by `cases.counts`, in the same
    transaction as every case created and every move of the transition table, so the staff
    home and the queues read a handful of rows however many cases there are."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE)
    state = models.CharField(max_length=16, choices=State.choices)
    channel = models.CharField(max_length=16, default="web")  # how the cases came in
    count = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "state", "channel"], name="one_count_per_state_channel"
            )
        ]

    def __str__(self) -> str:
        return f"{self.state}: {self.count}"


class SubmissionPace(models.Model):
    """The next free slot of a programme's application schedule (`cases.pacing`): written
    only while more applications arrive than INTAKE_FLOOD_PER_MINUTE, one row per programme,
    overwritten; it says when a flood's queue of forms ends, nothing of who sent one."""

    programme = models.OneToOneField(Programme, on_delete=models.CASCADE, primary_key=True)
    next_slot = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.programme_id}: {self.next_slot}"
