"""The risk model's calibration is pinned: change a default and these tests say so."""

import math

import pytest

from safepassage.passage import risk


@pytest.mark.parametrize("band", list(risk.Band))
def test_an_uncoordinated_crossing_of_4_5_km_is_survived_by_under_10_percent(band):
    estimate = risk.estimate(risk.DEFAULTS, band, coordinated=False)
    assert risk.DEFAULTS.distance_km == 4.5
    assert estimate.survival < 0.10


@pytest.mark.parametrize("band", list(risk.Band))
def test_coordination_raises_survival_only_through_the_receiving_side(band):
    without = risk.estimate(risk.DEFAULTS, band, coordinated=False)
    with_ = risk.estimate(risk.DEFAULTS, band, coordinated=True)
    assert with_.survival > 4 * without.survival
    assert (with_.own_side, with_.terrain) == (without.own_side, without.terrain)


def test_the_estimate_is_the_product_of_its_factors_and_matches_the_formula():
    e = risk.estimate(risk.DEFAULTS, risk.Band.NIGHT, coordinated=True)
    assert e.survival == pytest.approx(e.own_side * e.terrain * e.receiving)
    assert e.survival == pytest.approx(0.85 * math.exp(-(0.05 + 0.10) * 4.5) * 0.97)
    assert round(e.survival, 3) == 0.420


def test_night_is_safer_than_day_and_longer_is_deadlier():
    night = risk.estimate(risk.DEFAULTS, risk.Band.NIGHT, coordinated=True).survival
    day = risk.estimate(risk.DEFAULTS, risk.Band.DAY, coordinated=True).survival
    longer = risk.SectorFigures(distance_km=8.0)
    assert night > day
    assert risk.estimate(longer, risk.Band.NIGHT, coordinated=True).survival < night


@pytest.mark.parametrize(
    "hour, band",
    [
        (23, "night"),
        (1, "night"),
        (4, "dawn"),
        (6, "dawn"),
        (7, "day"),
        (18, "dusk"),
        (22, "night"),
    ],
)
def test_bands_by_local_hour(hour, band):
    assert risk.band_of(hour) == band
