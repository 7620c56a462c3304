"""How the risk model held up: each sector's predicted survival against the share that
arrived, with a 95% interval; the prior the operator's figures give, the posterior the
outcomes since the last reset give (learning.py), and a warning where the outcomes contradict
the prior beyond their interval. Resetting a sector's learning after the front line moves is
an admin's audited act."""

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from safepassage.audit import log
from safepassage.audit.actions import Action
from safepassage.passage import learning
from safepassage.passage.models import Crossing, Sector
from safepassage.passage.sectors import sectors_of
from safepassage.programmes.models import Programme


@dataclass(frozen=True)
class CalibrationRow:
    sector: str
    crossings: int  # crossings that were attempted (outcome other than turned back)
    outcomes: dict[str, int]
    predicted: float  # mean coordinated estimate at planning time
    observed: float  # share that arrived
    interval: tuple[float, float]  # 95% Wilson interval of the observed share
    sector_id: int = 0
    prior: float = 0.0  # a typical coordinated crossing, from the operator's figures
    posterior: float = 0.0  # the same, after the outcomes since the last reset
    posterior_interval: tuple[float, float] = (0.0, 1.0)
    learning_since: datetime | None = None

    @property
    def contradicts_prior(self) -> bool:
        """The outcomes say the operator's figures are wrong: the prior lies outside the
        observed share's 95% interval."""
        return self.crossings > 0 and not self.interval[0] <= self.prior <= self.interval[1]


def _wilson(successes: int, n: int, z: float = 1.96) -> tuple[float, float]:
    if n == 0:
        return (0.0, 1.0)
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * ((p * (1 - p) / n + z * z / (4 * n * n)) ** 0.5) / (1 + z * z / n)
    return (max(0.0, centre - half), min(1.0, centre + half))


def calibration(programme: Programme) -> list[CalibrationRow]:
    """Predicted against observed survival, per sector, over crossings with an outcome
    (counted by learning.count_outcomes). Turned back is left out of both: the person did
    not cross."""
    rows = []
    for sector in sectors_of(programme, active_only=False):
        done: Counter[str] = Counter()
        predicted_sum = 0.0
        for counts in sector.outcomes.all():
            done[counts.outcome] += counts.crossings
            if counts.outcome != Crossing.Outcome.TURNED_BACK:
                predicted_sum += counts.predicted
        n = sum(done.values()) - done[Crossing.Outcome.TURNED_BACK]
        arrived = done[Crossing.Outcome.ARRIVED]
        knowledge = learning.learned(sector)
        rows.append(
            CalibrationRow(
                sector_id=sector.pk,
                prior=knowledge.prior,
                posterior=knowledge.posterior,
                posterior_interval=knowledge.interval,
                learning_since=sector.learning_since,
                sector=sector.name,
                crossings=n,
                outcomes={str(Crossing.Outcome(o).label): k for o, k in done.items() if k},
                predicted=predicted_sum / n if n else 0.0,
                observed=arrived / n if n else 0.0,
                interval=_wilson(arrived, n),
            )
        )
    return rows


def reset_learning(programme: Programme, sector_id: int, *, user: User) -> Sector:
    """After the front line moves: the sector's outcomes so far stop counting; its figures
    are the operator's again until new outcomes come in."""
    with transaction.atomic():
        sector = Sector.objects.select_for_update().get(pk=sector_id, programme=programme)
        sector.learning_since = timezone.now()
        sector.learning_era += 1
        sector.save(update_fields=["learning_since", "learning_era"])
        log.record(
            Action.PASSAGE_LEARNING_RESET,
            log.staff_actor(user),
            programme_id=programme.pk,
            id=sector.pk,
        )
    return sector
