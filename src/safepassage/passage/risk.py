"""The crossing risk model: one formula, transparent figures an operator can edit.

P(survive) = (1 − p_own_side) · exp(−(λ_shelling(band) + λ_mines) · distance_km)
             · (1 − p_receiving_fire)

p_receiving_fire is the sector's uncoordinated figure unless the receiving unit has
acknowledged a hold-fire notice and the signal is agreed; then it is the coordinated one.
The defaults are calibrated so that an uncoordinated 4.5 km crossing, even at night, comes out
below 10% (public reporting: well under 10% survive such a crossing); tests pin this.
"""

import math
from dataclasses import dataclass
from enum import StrEnum

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Band(StrEnum):
    """Times of day with different shelling rates, by the local hour a window starts."""

    NIGHT = "night"  # 22:00–04:00
    DAWN = "dawn"  # 04:00–07:00
    DAY = "day"  # 07:00–18:00
    DUSK = "dusk"  # 18:00–22:00


BAND_NAMES: dict[Band, Promise] = {
    Band.NIGHT: _("night"),
    Band.DAWN: _("dawn"),
    Band.DAY: _("day"),
    Band.DUSK: _("dusk"),
}


def band_of(local_hour: int) -> Band:
    if local_hour >= 22 or local_hour < 4:
        return Band.NIGHT
    if local_hour < 7:
        return Band.DAWN
    if local_hour < 18:
        return Band.DAY
    return Band.DUSK


@dataclass(frozen=True)
class SectorFigures:
    """What the model needs to know about a sector. Rates are per km crossed."""

    distance_km: float = 4.5
    p_own_side: float = 0.15
    mines_per_km: float = 0.10
    shelling_per_km: tuple[tuple[Band, float], ...] = (
        (Band.NIGHT, 0.05),
        (Band.DAWN, 0.10),
        (Band.DAY, 0.30),
        (Band.DUSK, 0.15),
    )
    p_receiving_fire_uncoordinated: float = 0.80
    p_receiving_fire_coordinated: float = 0.03

    def shelling(self, band: Band) -> float:
        return dict(self.shelling_per_km)[band]


DEFAULTS = SectorFigures()


@dataclass(frozen=True)
class Estimate:
    """A survival estimate and the factors it is the product of, for the coordinator."""

    survival: float
    own_side: float  # probability of not being stopped or shot by one's own side
    terrain: float  # probability of surviving shelling and mines over the distance
    receiving: float  # probability the receiving side does not fire
    shelling_per_km: float
    mines_per_km: float
    distance_km: float
    coordinated: bool


def estimate(figures: SectorFigures, band: Band, *, coordinated: bool) -> Estimate:
    shelling = figures.shelling(band)
    own_side = 1.0 - figures.p_own_side
    terrain = math.exp(-(shelling + figures.mines_per_km) * figures.distance_km)
    fire = (
        figures.p_receiving_fire_coordinated
        if coordinated
        else figures.p_receiving_fire_uncoordinated
    )
    receiving = 1.0 - fire
    return Estimate(
        survival=own_side * terrain * receiving,
        own_side=own_side,
        terrain=terrain,
        receiving=receiving,
        shelling_per_km=shelling,
        mines_per_km=figures.mines_per_km,
        distance_km=figures.distance_km,
        coordinated=coordinated,
    )
