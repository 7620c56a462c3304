"""A relative's inquiry about a soldier (issue #24): everything he typed is one ciphertext under
the inquiry's own data key, itself sealed to the programme's families key, which only tracing
officers hold. What stays in plain is the programme, the day it came and the keyed hash of
its codename, a credential of its own kind (vault/codenames.inquiry_lookup_hash).

Matching (families/matching.py) reads tracing copies of registered prisoners, sealed to the
same families key, through coarse blind indexes; a tracing officer's confirmation is a Match.
"""

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from safepassage.programmes.models import Programme


class Inquiry(models.Model):
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE)
    received_at = models.DateTimeField(db_index=True)
    lookup_hash = models.BinaryField(max_length=32, unique=True)
    # The inquiry's data key, sealed to the programme's families public key.
    sealed_key = models.BinaryField()
    # JSON: who asks (relationship, his name as the soldier knows it, region, a question only
    # the soldier would answer and its answer, language) and whom (up to three people).
    contents = models.BinaryField()
    # What he may read, as of the last release (families/releases.py): {"1": "registered"}
    # for each person asked about who agreed to more than the default; {} for everyone else.
    released = models.JSONField(default=dict)
    # The release moment that last changed his answer or brought him a letter; retention
    # counts from it.
    answered_at = models.DateTimeField(null=True)
    # His own key pair, for letters (GC III Art. 71): letters to him are sealed to the public
    # half; the private half is wrapped with his codename, so only he opens them.
    public_key = models.BinaryField(max_length=32, null=True)
    wrapped_private_key = models.BinaryField(null=True)
    # Which people asked about let him exchange letters, as of the last release: ["1"].
    letters_open = models.JSONField(default=list)
    # A keyed hash of the form's ticket (cases/pacing.py): one ticket makes one inquiry.
    ticket_hash = models.BinaryField(max_length=32, unique=True, null=True)

    class Meta:
        ordering = ["-received_at", "-pk"]

    def __str__(self) -> str:
        return f"inquiry {self.pk}"


class TracingCopy(models.Model):
    """What tracing may read of one registered prisoner, to match inquiries against: his
    names, father's first name, date and place of birth, sealed to the families key when he
    is registered (reception sends them, families/receivers.py). Only registered prisoners
    have one, so no one who applied and has not crossed can ever be a candidate."""

    prisoner = models.OneToOneField(
        "reception.Prisoner", on_delete=models.CASCADE, related_name="tracing_copy"
    )
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE)
    sealed = models.BinaryField()

    def __str__(self) -> str:
        return f"tracing copy {self.pk}"


class FamiliesIndexKey(models.Model):
    """The key of a programme's families blind indexes (families/matching.py): random, sealed
    to the families key (tracing reads inquiries against the indexes) and to the custody key
    (reception indexes a prisoner as it registers him), and re-sealed by a key rotation."""

    programme = models.OneToOneField(Programme, on_delete=models.CASCADE, primary_key=True)
    for_families = models.BinaryField()
    for_custody = models.BinaryField()
    for_custody_next = models.BinaryField(null=True)

    def __str__(self) -> str:
        return f"families index key of {self.programme_id}"


class TracingIndex(models.Model):
    """A families blind index: a digest, under the FamiliesIndexKey, of a coarse name key
    (families/names.bucket), truncated to FAMILIES_INDEX_BITS so that each digest is shared by
    several prisoners and a hit proves no one's presence; candidates are the copies behind the
    digests an inquiry gives, opened and scored in the tracing officer's session."""

    class Kind(models.TextChoices):
        SURNAME = "surname"
        GIVEN_YEAR = "given"  # first name and year of birth: a misspelt surname still finds him

    copy = models.ForeignKey(TracingCopy, on_delete=models.CASCADE, related_name="indexes")
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    digest = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["programme", "kind", "digest"])]

    def __str__(self) -> str:
        return f"{self.kind} index of {self.copy}"


class Match(models.Model):
    """A tracing officer's confirmation that one person an inquiry asks about (`sought`, his
    place in the inquiry) is this registered prisoner. What the inquirer then learns is the
    prisoner's decision, not this."""

    inquiry = models.ForeignKey(Inquiry, on_delete=models.CASCADE, related_name="matches")
    sought = models.PositiveSmallIntegerField()
    prisoner = models.ForeignKey("reception.Prisoner", on_delete=models.CASCADE, related_name="+")
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField()
    # Who asks, for the reception or after-care officer who puts the inquiry to him: the
    # relationship, the inquirer's name as he knows it, region, question and its answer,
    # sealed to the custody key (and, during a key rotation, to the next one).
    for_custody = models.BinaryField()
    for_custody_next = models.BinaryField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["inquiry", "sought"], name="one_match_per_sought")
        ]

    def __str__(self) -> str:
        return f"match of {self.inquiry}, person {self.sought}"


class Decision(models.Model):
    """What the prisoner decided one inquirer may learn, as the reception or after-care officer
    who saw him recorded it; the latest one stands, so a decision is revoked by recording
    another. His words are encrypted under his case's custody data key."""

    class Kind(models.TextChoices):
        SHARE = "share", _("Say that he is alive and registered as a prisoner of war")
        LETTERS = "letters", _("Say that, and allow letters and cards with this person")
        DECLINE = "decline", _("Say nothing")
        FLAG = "flag", _("Say nothing, and flag the inquiry as suspicious")

    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="decisions")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    language = models.CharField(max_length=8)
    statement = models.BinaryField()
    decided_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["decided_at", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} on {self.match}"


class Letter(models.Model):
    """A letter or card between a prisoner and one inquirer who may write to him (GC III Art.
    71), reviewed by an officer before it goes (Art. 76: no place, unit or comrades' names).
    Its text is sealed to the custody key for his officers, and once passed, to the inquirer's
    own key; a letter to the inquirer reaches him at the next release."""

    class Kind(models.TextChoices):
        LETTER = "letter", _("Letter")
        CARD = "card", _("Card")

    class Direction(models.TextChoices):
        TO_INQUIRER = "out", _("From the prisoner")
        FROM_INQUIRER = "in", _("From the inquirer")

    class Review(models.TextChoices):
        WAITING = "waiting", _("Waiting for review")
        PASSED = "passed", _("Passed")
        REFUSED = "refused", _("Not passed")

    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="letters")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    direction = models.CharField(max_length=4, choices=Direction.choices)
    written_at = models.DateTimeField()
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )  # his officer, or none for the inquirer
    # JSON {"text", "from", "to"} and, after a review that refused it, {"reason"}.
    for_custody = models.BinaryField()
    for_custody_next = models.BinaryField(null=True)
    for_inquirer = models.BinaryField(null=True)  # sealed to Inquiry.public_key
    review = models.CharField(max_length=8, choices=Review.choices, default=Review.WAITING)
    reviewed_at = models.DateTimeField(null=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    released_at = models.DateTimeField(null=True)  # the release that brought it to him

    class Meta:
        ordering = ["written_at", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} {self.direction} on {self.match}"


def standing_decisions(**where: Any) -> "models.QuerySet[Decision]":
    """The decision that stands for each match: its latest one among those `where` selects
    (`decided_at__lt=moment` for what stood at a release, `match=…` for one inquirer)."""
    latest = (
        Decision.objects.filter(**where)
        .values("match_id")
        .annotate(latest=models.Max("pk"))
        .values("latest")
    )
    return Decision.objects.filter(pk__in=latest)


class AnswerRelease(models.Model):
    """One release moment whose answers were put out (families/releases.py)."""

    moment = models.DateTimeField(unique=True)
    released_at = models.DateTimeField()
    # How many people asked about stood at each rung after it, per programme, for the
    # tracing figures: {"<programme id>": {"registered": 3, "exchanged": 1}}.
    counts = models.JSONField(default=dict)

    def __str__(self) -> str:
        return f"release of {self.moment:%Y-%m-%d %H:%M}"


class InquiryPace(models.Model):
    """The next free slot of a programme's inquiry schedule during a flood of inquiries
    (families/flood.py), as cases.SubmissionPace is for applications."""

    programme = models.OneToOneField(Programme, on_delete=models.CASCADE, primary_key=True)
    next_slot = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.programme_id}: {self.next_slot}"
