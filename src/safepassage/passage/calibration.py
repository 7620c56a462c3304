"""How the risk model held up: each sector's predicted survival against the share that
arrived, with a 95% interval."""

from collections import Counter
from dataclasses import dataclass

from safepassage.passage.models import Crossing
from safepassage.passage.services import sectors_of
from safepassage.programmes.models import Programme


@dataclass(frozen=True)
class CalibrationRow:
    sector: str
    crossings: int  # crossings that were attempted (outcome other than turned back)
    outcomes: dict[str, int]
    predicted: float  # mean coordinated estimate at planning time
    observed: float  # share that arrived
    interval: tuple[float, float]  # 95% Wilson interval of the observed share


def _wilson(successes: int, n: int, z: float = 1.96) -> tuple[float, float]:
    if n == 0:
        return (0.0, 1.0)
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * ((p * (1 - p) / n + z * z / (4 * n * n)) ** 0.5) / (1 + z * z / n)
    return (max(0.0, centre - half), min(1.0, centre + half))


def calibration(programme: Programme) -> list[CalibrationRow]:
    """Predicted against observed survival, per sector, over crossings with an outcome.
    Turned back is left out of both: the person did not cross."""
    rows = []
    for sector in sectors_of(programme, active_only=False):
        done = list(
            sector.crossings.exclude(outcome="").values_list("outcome", "survival_coordinated")
        )
        attempted = [(o, p) for o, p in done if o != Crossing.Outcome.TURNED_BACK]
        arrived = sum(1 for o, _p in attempted if o == Crossing.Outcome.ARRIVED)
        n = len(attempted)
        rows.append(
            CalibrationRow(
                sector=sector.name,
                crossings=n,
                outcomes={
                    str(Crossing.Outcome(o).label): n
                    for o, n in Counter(o for o, _p in done).items()
                },
                predicted=sum(p for _o, p in attempted) / n if n else 0.0,
                observed=arrived / n if n else 0.0,
                interval=_wilson(arrived, n),
            )
        )
    return rows
