"""Consent records, the reward schedule, equipment handed over, reward claims and the ledger.

A consent keeps the exact words the person agreed to, in his language, encrypted under the
case's data key; withdrawing it is a date, never a deletion. Rewards need a verification and
two approvals by different officers before a payment; the ledger and the approvals are
append-only, in the model and, by triggers, in the database itself.
"""

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from safepassage.cases.models import Case
from safepassage.programmes.models import Programme

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class Consent(models.Model):
    class Kind(models.TextChoices):
        EXCHANGE = "exchange", _("Exchange: return home in a prisoner exchange")
        STAYING = "staying", _("Staying: residence or citizenship application")
        ASYLUM = "asylum", _("Asylum in a third country")
        VOLUNTEER = "volunteer", _("Volunteer service")
        PUBLICATION = "publication", _("Publication of his image or details")
        # Exchanges go in batches; beside his pathway, he says whether his name may be on
        # the lists (issue #26). An exchange recorded in custody closes the choice.
        ON_EXCHANGE_LISTS = "on_exchange_lists", _("Exchange lists: he asks to be on them")
        OFF_EXCHANGE_LISTS = "off_exchange_lists", _("Exchange lists: he asks to stay off them")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="consents")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    language = models.CharField(max_length=8)
    # The statement he agreed to, in his language, under the case's data key.
    statement = models.BinaryField()
    given_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["given_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(
                    withdrawn_at__isnull=True,
                    kind__in=["exchange", "staying", "asylum", "volunteer"],
                ),
                name="one_active_pathway",
            ),
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(
                    withdrawn_at__isnull=True,
                    kind__in=["on_exchange_lists", "off_exchange_lists"],
                ),
                name="one_active_exchange_list_choice",
            ),
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(withdrawn_at__isnull=True, kind="publication"),
                name="one_active_publication_consent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} consent on {self.case}"


PATHWAYS = (
    Consent.Kind.EXCHANGE,
    Consent.Kind.STAYING,
    Consent.Kind.ASYLUM,
    Consent.Kind.VOLUNTEER,
)
EXCHANGE_LIST_CHOICES = (Consent.Kind.ON_EXCHANGE_LISTS, Consent.Kind.OFF_EXCHANGE_LISTS)


class ExchangeList(models.Model):
    """One exchange list produced for the programme's authority. "Only new" means those who
    asked to be on the lists since the last list in the same format."""

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        PDF = "pdf", "PDF"

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE)
    format = models.CharField(max_length=8, choices=Format.choices)
    produced_at = models.DateTimeField()
    prisoners = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["programme", "format", "-produced_at"])]

    def __str__(self) -> str:
        return f"{self.format} exchange list of {self.produced_at:%Y-%m-%d}"


class Category(models.TextChoices):
    VEHICLE = "vehicle", _("Vehicle")
    ARMOURED_VEHICLE = "armoured_vehicle", _("Infantry fighting vehicle or armoured carrier")
    TANK = "tank", _("Tank")
    HELICOPTER = "helicopter", _("Helicopter")
    AIRCRAFT_OR_SHIP = "aircraft_or_ship", _("Aircraft or large ship")


NOT_NEGATIVE = [MinValueValidator(Decimal(0))]


def money(verbose_name: "StrOrPromise | None" = None) -> "models.DecimalField[Decimal, Decimal]":
    return models.DecimalField(
        verbose_name, max_digits=14, decimal_places=2, validators=NOT_NEGATIVE
    )


class RewardRate(models.Model):
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    amount = money(_("reward"))
    currency = models.CharField(_("currency"), max_length=3)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["programme", "category"], name="one_rate_per_category")
        ]

    def __str__(self) -> str:
        return f"{self.category}: {self.amount} {self.currency}"


class Equipment(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="equipment")
    category = models.CharField(max_length=20, choices=Category.choices)
    # Model, markings, condition: may point to his unit, so under the case's data key.
    description = models.BinaryField()
    handed_over_on = models.DateField()
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"{self.category} from {self.case}"


class RewardClaim(models.Model):
    equipment = models.OneToOneField(Equipment, on_delete=models.PROTECT, related_name="claim")
    # The rate when the claim was made: later schedule changes do not move it.
    amount = money()
    currency = models.CharField(max_length=3)
    created_at = models.DateTimeField(auto_now_add=True)
    verified_at = models.DateTimeField(null=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"claim {self.pk}"


class AppendOnly(Exception):
    """Ledger entries and approvals are never changed or removed."""


class AppendOnlyQuerySet(models.QuerySet[Any]):
    def update(self, **kwargs: object) -> int:
        raise AppendOnly(f"{self.model.__name__} is append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnly(f"{self.model.__name__} is append-only")


class AppendOnlyModel(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: object, **kwargs: object) -> None:
        if not self._state.adding:
            raise AppendOnly(f"{type(self).__name__} is append-only")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise AppendOnly(f"{type(self).__name__} is append-only")


class ClaimApproval(AppendOnlyModel):
    claim = models.ForeignKey(RewardClaim, on_delete=models.PROTECT, related_name="approvals")
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["claim", "officer"], name="one_approval_per_officer")
        ]

    def __str__(self) -> str:
        return f"approval of {self.claim} by {self.officer_id}"


REQUIRED_APPROVALS = 2


class UnapprovedPayment(Exception):
    """A payment for a claim that is not verified and approved by two officers."""


class LedgerEntry(AppendOnlyModel):
    """One payment of one claim."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT)
    claim = models.OneToOneField(RewardClaim, on_delete=models.PROTECT, related_name="payment")
    amount = money()
    currency = models.CharField(max_length=3)
    paid_at = models.DateTimeField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    # How and to whom it was paid, under the case's data key.
    reference = models.BinaryField()

    class Meta:
        ordering = ["paid_at", "pk"]

    def __str__(self) -> str:
        return f"payment of {self.claim}"

    def save(self, *args: object, **kwargs: object) -> None:
        # The rule holds for every writer, not only services.record_payment.
        approvers = self.claim.approvals.values("officer").distinct().count()
        if self.claim.verified_at is None or approvers < REQUIRED_APPROVALS:
            raise UnapprovedPayment(f"claim {self.claim_id} is not verified and approved by two")
        super().save(*args, **kwargs)
