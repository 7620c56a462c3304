"""A prisoner in the programme's custody, and what happens to him afterwards.

The particulars (name, date of birth, family...) are ciphertext under the case's data key, so
crypto-shredding the case destroys them too. What stays in the clear is only what the staff
home page counts without a key: when he was captured, registered, and when his card went out.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from safepassage.cases.models import Case
from safepassage.programmes.models import Programme


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
        # The ICRC's Central Tracing Agency confirmed it has his registration (Art. 123).
        ICRC_CONFIRMED = "icrc", _("The ICRC confirmed his registration")

    prisoner = models.ForeignKey(Prisoner, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    # A wrong event is never rewritten: a new event corrects it, and both stay on record.
    corrects = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrected_by"
    )
    occurred_on = models.DateField()
    # Place and circumstances, under the case's data key.
    details = models.BinaryField()
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["occurred_on", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} of {self.prisoner}"


class BureauExport(models.Model):
    """One export for the information bureau (Art. 122). "Only new" means new or changed since
    the last export in the same format: a JSON export does not use up what the CSV owes."""

    class Format(models.TextChoices):
        JSON = "json", "JSON"
        CSV = "csv", "CSV"

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE)
    format = models.CharField(max_length=8, choices=Format.choices)
    exported_at = models.DateTimeField()
    prisoners = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["programme", "format", "-exported_at"])]

    def __str__(self) -> str:
        return f"{self.format} export of {self.exported_at:%Y-%m-%d}"
