"""A volunteer-service record. Nothing else in the system points at it: reception, exchange
and capture-card data have no link here, so what happens here cannot change them."""

from django.conf import settings
from django.db import models

from safepassage.cases.models import Case


class VolunteerService(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    opened_at = models.DateTimeField()
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Registration plus the cooling-off period: service cannot start before this.
    eligible_from = models.DateTimeField()
    started_at = models.DateTimeField(null=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    ended_at = models.DateTimeField(null=True)
    end_reason = models.CharField(max_length=24, blank=True)
    # Where he serves and any notes, under the case's data key.
    record = models.BinaryField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(ended_at__isnull=True),
                name="one_open_volunteer_service",
            )
        ]

    def __str__(self) -> str:
        return f"volunteer service of {self.case}"
