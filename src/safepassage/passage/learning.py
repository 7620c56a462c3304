"""Sector figures that learn from outcomes (issue #14).

Each sector's figures are a prior: the operator's values, worth `prior_weight` crossings of
confidence. Recorded outcomes of the sector's crossings since `learning_since` update two
Beta posteriors, for the two things an outcome can tell apart:

- his own side: of the crossings attempted, how many he got past his own side (arrived or
  lost) against how many ended with him captured by it;
- the crossing itself (shelling, mines, the receiving side) once past his own side: arrived
  against lost.

Turned back tells neither (he did not cross); missing waits until it is resolved. The
coordinated survival is then the model's, scaled by each posterior mean ÷ its prior mean,
with the 95% interval of the two posteriors; the factors stay the sector's figures. All of
it is counts (SectorOutcomes, filled by `count_outcomes` in a key holder's session, since the
sector of a crossing is sealed): one small query per sector, nothing that grows with the
number of cases.
"""

from collections import Counter
from dataclasses import dataclass, replace
from functools import cached_property

from django.db import transaction
from django.db.models import F
from scipy.stats import beta

from safepassage.passage import plans, risk
from safepassage.passage.models import Crossing, Sector, SectorOutcomes
from safepassage.programmes.groupkeys import Keyring

# The band and coordination the prior of "the crossing itself" is read at: the programme's
# usual crossing (night windows, an acknowledged notice with a guiding drone).
TYPICAL_BAND = risk.Band.NIGHT


@dataclass(frozen=True)
class Posterior:
    prior: float  # the model's probability, from the operator's figures
    weight: int  # crossings' worth of confidence in it
    successes: int
    failures: int

    @property
    def alpha(self) -> float:
        return self.weight * self.prior + self.successes

    @property
    def beta(self) -> float:
        return self.weight * (1.0 - self.prior) + self.failures

    @property
    def mean(self) -> float:
        return self.alpha / (self.alpha + self.beta)

    @cached_property  # four Beta quantiles: once per sector, not once per window planned
    def interval(self) -> tuple[float, float]:
        return (
            float(beta.ppf(0.025, self.alpha, self.beta)),
            float(beta.ppf(0.975, self.alpha, self.beta)),
        )


@dataclass(frozen=True)
class Learned:
    own_side: Posterior
    crossing: Posterior
    outcomes: dict[str, int]

    @property
    def prior(self) -> float:
        return self.own_side.prior * self.crossing.prior

    @property
    def posterior(self) -> float:
        return self.own_side.mean * self.crossing.mean

    @property
    def interval(self) -> tuple[float, float]:
        (own_low, own_high), (low, high) = self.own_side.interval, self.crossing.interval
        return (own_low * low, own_high * high)


def count_outcomes(programme_id: int, keyring: Keyring) -> int:
    """Count the outcomes recorded since, into SectorOutcomes: only a key holder's session
    can, since the sector of a crossing is in its sealed plan. Each crossing is counted once
    (the flag is claimed first), whoever counts concurrently. Missing waits until resolved."""
    pending = (
        Crossing.objects.filter(
            unit__programme_id=programme_id, status=Crossing.Status.COMPLETED, counted=False
        )
        .exclude(outcome__in=["", Crossing.Outcome.MISSING])
        .select_related("unit")
    )
    counted = 0
    for crossing in plans.opened(pending, plans.keys_in(programme_id, keyring)):
        if crossing.plan is None or crossing.planned_sector is None:
            continue
        sector = crossing.planned_sector
        since = sector.learning_since
        before_reset = (
            since is not None and crossing.outcome_at is not None and crossing.outcome_at < since
        )
        era = (
            sector.learning_era - 1 if before_reset and sector.learning_era else sector.learning_era
        )
        with transaction.atomic():
            if not Crossing.objects.filter(pk=crossing.pk, counted=False).update(counted=True):
                continue
            row, _created = SectorOutcomes.objects.get_or_create(
                sector=sector, era=era, outcome=crossing.outcome
            )
            SectorOutcomes.objects.filter(pk=row.pk).update(
                crossings=F("crossings") + 1,
                predicted=F("predicted") + crossing.plan.survival_coordinated,
            )
        counted += 1
    return counted


def outcome_counts(sector: Sector) -> Counter[str]:
    """The sector's outcomes since its learning was last reset."""
    rows = SectorOutcomes.objects.filter(sector=sector, era=sector.learning_era)
    return Counter({row.outcome: row.crossings for row in rows})


def learned(sector: Sector, counts: Counter[str] | None = None) -> Learned:
    counts = outcome_counts(sector) if counts is None else counts
    return from_counts(sector.figures, sector.prior_weight, counts)


def from_counts(figures: risk.SectorFigures, weight: int, counts: Counter[str]) -> Learned:
    """The posteriors of figures worth `weight` crossings, after these outcome counts."""
    typical = risk.estimate(figures, TYPICAL_BAND, coordinated=True)
    arrived = counts[Crossing.Outcome.ARRIVED]
    lost = counts[Crossing.Outcome.KILLED]
    captured = counts[Crossing.Outcome.CAPTURED]
    return Learned(
        own_side=Posterior(typical.own_side, weight, arrived + lost, captured),
        crossing=Posterior(typical.survival / typical.own_side, weight, arrived, lost),
        outcomes=dict(counts),
    )


def adjusted(estimate: risk.Estimate, knowledge: Learned) -> risk.Estimate:
    """The model's coordinated estimate scaled by what the outcomes taught, with its
    interval. With no outcomes the posterior is the prior: the model's estimate, unchanged."""
    own = knowledge.own_side
    if not (own.successes + own.failures):
        return estimate
    crossing = knowledge.crossing
    own_ratio, crossing_ratio = own.mean / own.prior, crossing.mean / crossing.prior
    survival = min(1.0, estimate.survival * own_ratio * crossing_ratio)
    low = estimate.survival * own.interval[0] / own.prior * crossing.interval[0] / crossing.prior
    high = estimate.survival * own.interval[1] / own.prior * crossing.interval[1] / crossing.prior
    # The factors stay the model's: the outcomes move the survival, not any one figure.
    return replace(
        estimate,
        survival=survival,
        interval=(max(0.0, low), min(1.0, high)),
        by_the_figures=estimate.survival,
    )
