"""Sectors of the front, receiving units, and crossings with their hold-fire notices.

A sector's figures are configuration; its words name a place and are encrypted by the server.
A crossing links a case to a receiving unit and a night; where, when and how he crosses is
its plan, sealed (plans.py), and the liaison's console shows only its window, approach,
signal, head count and escort. A case's planning constraints (where and when he can cross)
say where he is, so they are encrypted under the case's data key.

Over 400 lines because the app's whole schema reads best in one place, with why each column
is plain or sealed beside it.
"""

from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from safepassage.cases.models import Case
from safepassage.cases.transitions import BY_ACTION
from safepassage.passage import risk
from safepassage.passage.recognition import SIGNALS
from safepassage.programmes.models import Programme
from safepassage.vault import crypto
from safepassage.vault.fields import ServerSealedTextField

if TYPE_CHECKING:
    from safepassage.passage.plan_contents import Plan

PROBABILITY = [MinValueValidator(0.0), MaxValueValidator(1.0)]
RATE = [MinValueValidator(0.0), MaxValueValidator(5.0)]


class ReceivingUnit(models.Model):
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE)
    name = models.CharField(_("name"), max_length=120)
    liaisons = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, verbose_name=_("liaison staff")
    )
    # The unit's key pair (plans.py): its crossings' plans are sealed to the public half; the
    # private half is sealed to the programme's plan key here and to each liaison (UnitKeyGrant).
    public_key = models.BinaryField(max_length=32)
    sealed_private_key = models.BinaryField()
    sealed_private_key_next = models.BinaryField(null=True)  # in a programme key rotation
    # A liaison lost his grant (he left the unit or the programme): he may have kept the key,
    # so the unit gets a new pair from the next plan-key holder (plans.renew_unit_key).
    key_renewal_due = models.BooleanField(default=False)

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        """A new unit gets its key pair; the private half is only ever stored sealed."""
        if not self.public_key:
            pair = crypto.new_keypair()
            self.public_key = pair.public
            sealed, sealed_next = self.programme.seal("plan", pair.private)
            self.sealed_private_key, self.sealed_private_key_next = sealed, sealed_next
        super().save(*args, **kwargs)


class UnitKeyGrant(models.Model):
    """A receiving unit's private key, sealed to one liaison's own public key."""

    unit = models.ForeignKey(ReceivingUnit, on_delete=models.CASCADE)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    sealed_private_key = models.BinaryField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "user"], name="one_unit_grant")]

    def __str__(self) -> str:
        return f"key of {self.unit} for {self.user}"


class Sector(models.Model):
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE)
    # A sector's words name a place: encrypted by the server (vault/fields.py), so a copy of
    # the database shows none of them; unique names are checked by the form.
    name = ServerSealedTextField(_("name"), max_length=120)
    description = ServerSealedTextField(
        _("what the applicant will recognise"),
        max_length=1000,
        help_text=_("Landmarks on his side. Never the coordinates of our own positions."),
    )
    approach = ServerSealedTextField(
        _("approach direction or landmark, for the receiving unit"), max_length=300
    )
    receiving_unit = models.ForeignKey(
        ReceivingUnit, on_delete=models.PROTECT, verbose_name=_("receiving unit")
    )
    distance_km = models.FloatField(
        _("crossing distance (km)"),
        default=risk.DEFAULTS.distance_km,
        validators=[MinValueValidator(0.1), MaxValueValidator(30.0)],
        help_text=_("From his side's last position to the far edge of the grey zone."),
    )
    meeting_distance_km = models.FloatField(
        _("distance to the agreed meeting point (km)"),
        default=risk.DEFAULTS.meeting_distance_km,
        validators=[MinValueValidator(0.1), MaxValueValidator(30.0)],
        help_text=_(
            "How far he walks when the crossing is coordinated: to the point where the "
            "receiving unit meets him. Never more than the crossing distance."
        ),
    )
    mines_per_km = models.FloatField(
        _("mine hazard per km, off any route"),
        default=risk.DEFAULTS.mines_per_km,
        validators=RATE,
        help_text=_("On his own, across the grey zone."),
    )
    mines_per_km_guided = models.FloatField(
        _("mine hazard per km on the guided route"),
        default=risk.DEFAULTS.mines_per_km_guided,
        validators=RATE,
        help_text=_(
            "When a drone leads him along the sector's known route. Never more than off it."
        ),
    )
    receiving_shelling_share = models.FloatField(
        _("share of the shelling that is the receiving side's"),
        default=risk.DEFAULTS.receiving_shelling_share,
        validators=PROBABILITY,
        help_text=_(
            "Stopped for the window by an acknowledged hold-fire notice; the rest goes on."
        ),
    )
    shelling_night = models.FloatField(
        _("shelling hazard per km, night (22–04)"),
        default=risk.DEFAULTS.shelling(risk.Band.NIGHT),
        validators=RATE,
    )
    shelling_dawn = models.FloatField(
        _("shelling hazard per km, dawn (04–07)"),
        default=risk.DEFAULTS.shelling(risk.Band.DAWN),
        validators=RATE,
    )
    shelling_day = models.FloatField(
        _("shelling hazard per km, day (07–18)"),
        default=risk.DEFAULTS.shelling(risk.Band.DAY),
        validators=RATE,
    )
    shelling_dusk = models.FloatField(
        _("shelling hazard per km, dusk (18–22)"),
        default=risk.DEFAULTS.shelling(risk.Band.DUSK),
        validators=RATE,
    )
    p_own_side = models.FloatField(
        _("chance of being shot or stopped by his own side"),
        default=risk.DEFAULTS.p_own_side,
        validators=PROBABILITY,
        help_text=_("Coordination does not change it: his own side is not told."),
    )
    p_receiving_fire_uncoordinated = models.FloatField(
        _("chance the receiving side fires, without a notice"),
        default=risk.DEFAULTS.p_receiving_fire_uncoordinated,
        validators=PROBABILITY,
    )
    p_receiving_fire_coordinated = models.FloatField(
        _("chance the receiving side fires, notice acknowledged"),
        default=risk.DEFAULTS.p_receiving_fire_coordinated,
        validators=PROBABILITY,
    )
    # Learning from outcomes (learning.py): how many crossings' worth of confidence these
    # figures carry, and since when this sector's outcomes count (reset after the front moves).
    prior_weight = models.PositiveSmallIntegerField(
        _("confidence in these figures, in crossings"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(1000)],
        help_text=_(
            "How many recorded crossings it takes for outcomes to weigh as much as the figures "
            "above."
        ),
    )
    learning_since = models.DateTimeField(null=True, blank=True)
    learning_era = models.PositiveIntegerField(default=0)  # one more at each reset
    capacity_per_window = models.PositiveSmallIntegerField(
        _("crossings per window"), default=1, validators=[MaxValueValidator(50)]
    )
    crossings_per_night = models.PositiveSmallIntegerField(
        _("crossings per night"), default=2, validators=[MaxValueValidator(50)]
    )
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def figures(self) -> risk.SectorFigures:
        return risk.SectorFigures(
            distance_km=self.distance_km,
            meeting_distance_km=self.meeting_distance_km,
            p_own_side=self.p_own_side,
            mines_per_km=self.mines_per_km,
            mines_per_km_guided=self.mines_per_km_guided,
            receiving_shelling_share=self.receiving_shelling_share,
            shelling_per_km=(
                (risk.Band.NIGHT, self.shelling_night),
                (risk.Band.DAWN, self.shelling_dawn),
                (risk.Band.DAY, self.shelling_day),
                (risk.Band.DUSK, self.shelling_dusk),
            ),
            p_receiving_fire_uncoordinated=self.p_receiving_fire_uncoordinated,
            p_receiving_fire_coordinated=self.p_receiving_fire_coordinated,
        )


class Crossing(models.Model):
    """One planned crossing of one case, and the hold-fire notice sent for it."""

    class Status(models.TextChoices):
        NOTIFIED = "notified", _("Awaiting acknowledgement")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        EXPIRED = "expired", _("Expired")
        COMPLETED = "completed", _("Completed")

    class Escort(models.TextChoices):
        NONE = "none", _("None")
        DRONE = "drone", _("Guiding drone")
        GROUND = "ground", _("Ground team at the last stretch")
        DRONE_AND_GROUND = "drone_ground", _("Guiding drone and ground team")

    class Outcome(models.TextChoices):
        ARRIVED = "arrived", _("Arrived")
        TURNED_BACK = "turned_back", _("Turned back")
        MISSING = "missing", _("Missing")
        KILLED = "killed", _("Killed")
        CAPTURED = "captured", _("Captured by his own side")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="crossings")
    # Where, when and how are sealed (plans.py); the unit and the night stay plain, so its
    # liaisons find the notice and the worker expires it without a key.
    unit = models.ForeignKey(ReceivingUnit, on_delete=models.PROTECT, related_name="crossings")
    night = models.DateField(db_index=True)
    for_programme = models.BinaryField(null=True)
    for_programme_next = models.BinaryField(null=True)  # in a programme key rotation
    for_unit = models.BinaryField(null=True)
    for_applicant = models.BinaryField(null=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.NOTIFIED)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    responded_at = models.DateTimeField(null=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decline_reason = models.CharField(max_length=500, blank=True)
    closed_reason = models.CharField(max_length=32, blank=True)
    closed_at = models.DateTimeField(null=True)  # when it was withdrawn (the reason's moment)
    # A withdrawn notice stays at the top of the liaison's pages until he says he told his
    # unit that nobody is coming.
    withdrawal_seen_at = models.DateTimeField(null=True)
    withdrawal_seen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    applicant_confirmed_at = models.DateTimeField(null=True)
    instructions_shown_at = models.DateTimeField(null=True)
    instructions_override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    outcome = models.CharField(max_length=16, choices=Outcome.choices, blank=True)
    outcome_at = models.DateTimeField(null=True)
    counted = models.BooleanField(default=False)  # its outcome is in SectorOutcomes

    ACTIVE = (Status.NOTIFIED, Status.ACKNOWLEDGED)

    class Meta:
        ordering = ["night", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(status__in=["notified", "acknowledged"]),
                name="one_active_crossing_per_case",
            )
        ]
        indexes = [models.Index(fields=["unit", "status", "night"], name="crossing_unit_night")]

    # Set by plans.opened() in a session whose keys open the plan; None when they do not, or
    # once the plan is destroyed. The fields below read it and fail loudly without it.
    plan: "Plan | None" = None
    planned_sector: Sector | None = None

    def __str__(self) -> str:
        return f"crossing {self.pk}"

    @property
    def programme_id(self) -> int:
        return self.unit.programme_id

    @property
    def plan_destroyed(self) -> bool:
        return self.for_programme is None and self.for_unit is None

    def _opened(self) -> "Plan":
        if self.plan is None:
            raise PlanNotOpened(f"the plan of crossing {self.pk} is not open in this session")
        return self.plan

    @property
    def sector(self) -> Sector:
        self._opened()
        if self.planned_sector is None:
            raise PlanNotOpened(f"the sector of crossing {self.pk} is gone")
        return self.planned_sector

    @property
    def window_start(self) -> datetime:
        return self._opened().window_start

    @property
    def window_end(self) -> datetime:
        return self._opened().window_end

    @property
    def signal(self) -> str:
        return self._opened().signal

    @property
    def escort(self) -> str:
        return self._opened().escort

    def get_escort_display(self) -> str:
        return str(self.Escort(self.escort).label)

    @property
    def head_count(self) -> int:
        return self._opened().head_count

    @property
    def survival_uncoordinated(self) -> float:
        return self._opened().survival_uncoordinated

    @property
    def survival_coordinated(self) -> float:
        return self._opened().survival_coordinated

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    @property
    def signal_title(self) -> str:
        signal = SIGNALS.get(self._opened().signal)
        return str(signal.title) if signal else ""

    @property
    def withdrawal_unseen(self) -> bool:
        """Withdrawn, and no liaison has yet said that his unit knows nobody is coming."""
        return self.status == self.Status.WITHDRAWN and self.withdrawal_seen_at is None

    @property
    def closed_reason_label(self) -> str:
        """Why the notice was closed, in words: a reason of its own, or the case's action."""
        if self.closed_reason in CLOSED_REASONS:
            return str(CLOSED_REASONS[self.closed_reason])
        transition = BY_ACTION.get(self.closed_reason)
        return str(transition.label) if transition else ""


class SectorOutcomes(models.Model):
    """How a sector's crossings ended, counted in a key holder's session (learning.py), so
    learning and calibration read numbers, not plans, and outlive the destroyed plans."""

    sector = models.ForeignKey(Sector, on_delete=models.CASCADE, related_name="outcomes")
    era = models.PositiveIntegerField()  # the sector's learning_era they count towards
    outcome = models.CharField(max_length=16, choices=Crossing.Outcome.choices)
    crossings = models.PositiveIntegerField(default=0)
    predicted = models.FloatField(default=0.0)  # their coordinated estimates, summed

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["sector", "era", "outcome"], name="one_count_row")
        ]

    def __str__(self) -> str:
        return f"{self.outcome} in {self.sector_id}"


class PlanNotOpened(Exception):
    """Code read a crossing's plan in a session that did not open it: a bug, never data."""


CLOSED_REASONS = {
    "called_off_after_duress": _("called off after a duress sign-in"),
    "unanswered": _("not acknowledged before the window began"),
    "window_missed": _("the window passed with no outcome recorded"),
}


class PlanningConstraints(models.Model):
    """Where and when a case can cross. It locates a person, so it is encrypted under the
    case's data key: crypto-shredding the case destroys it too."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="+")
    encrypted = models.BinaryField()
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"planning constraints of {self.case}"
