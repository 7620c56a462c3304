"""A prisoner in the programme's custody, and what happens to him afterwards.

The particulars (name, date of birth, family...) are ciphertext under the case's data key, so
crypto-shredding the case destroys them too. What stays in the clear is only what the staff
home page counts without a key: when he was captured, registered, and when his card went out.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from safepassage.cases.models import Case


class Prisoner(models.Model):
    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="prisoner")
    captured_at = models.DateTimeField(db_index=True)
    registered_at = models.DateTimeField(null=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # JSON of particulars.FIELDS plus `language` and `refused`, under the case's data key.
    particulars = models.BinaryField(null=True)
    changed_at = models.DateTimeField(null=True)
    # When the capture card went to the family and the Central Tracing Agency (Art. 70).
    card_sent_at = models.DateTimeField(null=True, db_index=True)
    card_sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Last included in an information-bureau export (Art. 122).
    exported_at = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return f"prisoner of {self.case}"


class CustodyEvent(models.Model):
    """A change the information bureau must forward (GC III Art. 122–123)."""

    class Kind(models.TextChoices):
        TRANSFER = "transfer", _("Transfer")
        HOSPITAL = "hospital", _("Admitted to hospital")
        RELEASE = "release", _("Release")
        EXCHANGE = "exchange", _("Exchange (repatriation)")
        DEATH = "death", _("Death")

    prisoner = models.ForeignKey(Prisoner, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    occurred_on = models.DateField()
    # Place and circumstances, under the case's data key.
    details = models.BinaryField()
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    exported_at = models.DateTimeField(null=True)

    class Meta:
        ordering = ["occurred_on", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} of {self.prisoner}"
