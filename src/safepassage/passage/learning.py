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
it is counts: no decryption, one GROUP BY per sector, nothing that grows with the number of
cases.
"""

from collections import Counter
from dataclasses import dataclass, replace
from functools import cached_property

from django.db.models import Count
from scipy.stats import beta

from safepassage.passage import risk
from safepassage.passage.models import Crossing, Sector

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


def outcome_counts(sector: Sector) -> Counter[str]:
    crossings = Crossing.objects.filter(sector=sector).exclude(outcome="")
    if sector.learning_since is not None:
        crossings = crossings.filter(outcome_at__gte=sector.learning_since)
    by_outcome = crossings.values("outcome").annotate(n=Count("pk"))
    return Counter({row["outcome"]: row["n"] for row in by_outcome})


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
