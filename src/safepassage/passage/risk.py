"""The crossing risk model: one formula, transparent figures an operator can edit.

    P(survive) = own side · shelling · mines · receiving side
    own side   = 1 − p_own_side                       (coordination does not change it)
    shelling   = exp(−λ_shelling(band) · (1 − s) · d)   s: the receiving side's share of the
                                                        shelling, stopped by an acknowledged
                                                        hold-fire for the window (else s = 0)
    mines      = exp(−λ_mines · d)                       the guided route's rate when a drone
                                                        escort is agreed, else off-route
    receiving  = 1 − p_receiving_fire                   coordinated figure once acknowledged
    d          = the distance to the agreed meeting point when coordinated, else the full
                 crossing

What coordination changes and what it cannot are separate figures of the sector, each with a
sentence of help on the sector page. A coordinated figure is never allowed to be worse than
its uncoordinated one (the meeting point is no farther than the far edge, the guided route no
more mined than off-route), so coordination never lowers an estimate.

Defaults. Uncoordinated: public reporting says well under one in ten survive an
uncoordinated crossing of a contested grey zone; 4.5 km at night comes out at 8.7% (pinned by
a test). Coordinated: public reporting describes what coordination does, not how many
survive it (The New York Times, 20 Dec 2022, on Ukraine's "I want to live" programme: the
unit arranges a time and place, and a drone leads the person at walking pace along a path to
waiting soldiers). No public source gives a survival rate, so the coordinated defaults
model exactly that description and are the operator's to replace with the programme's own:
half of the shelling is the receiving side's (stopped for the window), a guided route has a
fifth of the off-route mine rate, the meeting point is 2 km in, the receiving side fires at
an announced, signalling person 3% of the time. With them a coordinated night crossing comes
out at about 75%; that ratio is shown, not targeted. Outcomes then move every sector's
figures (`learning.py`).
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
    meeting_distance_km: float = 2.0
    p_own_side: float = 0.15
    mines_per_km: float = 0.10
    mines_per_km_guided: float = 0.02
    shelling_per_km: tuple[tuple[Band, float], ...] = (
        (Band.NIGHT, 0.05),
        (Band.DAWN, 0.10),
        (Band.DAY, 0.30),
        (Band.DUSK, 0.15),
    )
    receiving_shelling_share: float = 0.5
    p_receiving_fire_uncoordinated: float = 0.80
    p_receiving_fire_coordinated: float = 0.03

    def shelling(self, band: Band) -> float:
        return dict(self.shelling_per_km)[band]


DEFAULTS = SectorFigures()


@dataclass(frozen=True)
class Coordination:
    """What an acknowledged notice brings. Each can be switched alone (the tests do)."""

    receiving_holds_fire: bool = False  # the receiving unit expects him and will not fire
    shelling_stopped: bool = False  # the receiving side's own shelling stops for the window
    meeting_point: bool = False  # he walks to the agreed point, not to the far edge
    guided_route: bool = False  # a drone leads him along the sector's cleared route


NONE = Coordination()
ACKNOWLEDGED = Coordination(True, True, True, guided_route=False)
GUIDED = Coordination(True, True, True, guided_route=True)


@dataclass(frozen=True)
class Estimate:
    """A survival estimate and the factors it is the product of, for the coordinator."""

    survival: float
    own_side: float  # not stopped or shot by his own side
    shelling: float  # surviving the shelling over the distance
    mines: float  # surviving the mines over the distance
    receiving: float  # the receiving side does not fire
    shelling_per_km: float
    mines_per_km: float
    distance_km: float
    coordinated: bool
    # From outcomes (learning.py): the 95% interval of the survival, and what the sector's
    # figures alone gave before the outcomes moved it; None for the model alone.
    interval: tuple[float, float] | None = None
    by_the_figures: float | None = None

    @property
    def terrain(self) -> float:
        return self.shelling * self.mines


def estimate(
    figures: SectorFigures, band: Band, *, coordinated: Coordination | bool = False
) -> Estimate:
    """`coordinated=True` means an acknowledged notice with a guiding drone."""
    if coordinated is True:
        coordination = GUIDED
    elif coordinated is False:
        coordination = NONE
    else:
        coordination = coordinated
    shelling_rate = figures.shelling(band)
    if coordination.shelling_stopped:
        shelling_rate *= 1.0 - figures.receiving_shelling_share
    mines_rate = figures.mines_per_km
    if coordination.guided_route:
        mines_rate = min(figures.mines_per_km_guided, figures.mines_per_km)
    distance = figures.distance_km
    if coordination.meeting_point:
        distance = min(figures.meeting_distance_km, figures.distance_km)
    fire = figures.p_receiving_fire_uncoordinated
    if coordination.receiving_holds_fire:
        fire = min(figures.p_receiving_fire_coordinated, fire)
    own_side = 1.0 - figures.p_own_side
    shelling = math.exp(-shelling_rate * distance)
    mines = math.exp(-mines_rate * distance)
    receiving = 1.0 - fire
    return Estimate(
        survival=own_side * shelling * mines * receiving,
        own_side=own_side,
        shelling=shelling,
        mines=mines,
        receiving=receiving,
        shelling_per_km=shelling_rate,
        mines_per_km=mines_rate,
        distance_km=distance,
        coordinated=coordination != NONE,
    )
