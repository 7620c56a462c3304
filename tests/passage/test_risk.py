"""The risk model's calibration is pinned: change a default and these tests say so. Each
thing coordination changes moves the estimate in its direction and only its own factor."""

import math
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from safepassage.passage import risk

NIGHT = risk.Band.NIGHT


@pytest.mark.parametrize("band", list(risk.Band))
def test_an_uncoordinated_crossing_of_4_5_km_is_survived_by_under_10_percent(band):
    estimate = risk.estimate(risk.DEFAULTS, band, coordinated=False)
    assert risk.DEFAULTS.distance_km == 4.5
    assert estimate.survival < 0.10


def test_the_estimates_are_the_formula_with_the_documented_defaults():
    alone = risk.estimate(risk.DEFAULTS, NIGHT, coordinated=False)
    assert alone.survival == pytest.approx(0.85 * math.exp(-(0.05 + 0.10) * 4.5) * 0.20)
    assert round(alone.survival, 3) == 0.087
    guided = risk.estimate(risk.DEFAULTS, NIGHT, coordinated=True)
    assert guided.survival == pytest.approx(0.85 * math.exp(-(0.025 + 0.02) * 2.0) * 0.97)
    assert round(guided.survival, 3) == 0.754  # shown, not targeted (the docstring says why)
    for e in (alone, guided):
        assert e.survival == pytest.approx(e.own_side * e.shelling * e.mines * e.receiving)


# Each switch of coordination, and the one factor it may change.
SWITCHES = {
    "receiving_holds_fire": {"receiving"},
    "shelling_stopped": {"shelling"},
    "guided_route": {"mines"},
    "meeting_point": {"shelling", "mines"},  # a shorter walk through both
}
FACTORS = ("own_side", "shelling", "mines", "receiving")


@pytest.mark.parametrize("switch", list(SWITCHES))
def test_each_coordination_factor_raises_only_its_own_factor(switch):
    without = risk.estimate(risk.DEFAULTS, NIGHT, coordinated=False)
    alone = risk.estimate(risk.DEFAULTS, NIGHT, coordinated=risk.Coordination(**{switch: True}))
    assert alone.survival > without.survival
    changed = {f for f in FACTORS if getattr(alone, f) != getattr(without, f)}
    assert changed == SWITCHES[switch]
    assert alone.own_side == without.own_side  # his own side is never told


def test_night_is_safer_than_day_and_longer_is_deadlier():
    night = risk.estimate(risk.DEFAULTS, NIGHT, coordinated=True).survival
    day = risk.estimate(risk.DEFAULTS, risk.Band.DAY, coordinated=True).survival
    longer = replace(risk.DEFAULTS, meeting_distance_km=4.0)
    assert night > day
    assert risk.estimate(longer, NIGHT, coordinated=True).survival < night


rates = st.floats(0.0, 5.0)
probabilities = st.floats(0.0, 1.0)
distances = st.floats(0.1, 30.0)


@given(
    distance=distances,
    meeting=distances,
    own=probabilities,
    mines=rates,
    guided=rates,
    shelling=rates,
    share=probabilities,
    fire=probabilities,
    fire_coordinated=probabilities,
    band=st.sampled_from(list(risk.Band)),
    coordination=st.builds(
        risk.Coordination, st.booleans(), st.booleans(), st.booleans(), st.booleans()
    ),
)
def test_every_estimate_is_a_probability_and_coordination_never_lowers_it(
    distance,
    meeting,
    own,
    mines,
    guided,
    shelling,
    share,
    fire,
    fire_coordinated,
    band,
    coordination,
):
    figures = risk.SectorFigures(
        distance_km=distance,
        meeting_distance_km=meeting,
        p_own_side=own,
        mines_per_km=mines,
        mines_per_km_guided=guided,
        shelling_per_km=tuple((b, shelling) for b in risk.Band),
        receiving_shelling_share=share,
        p_receiving_fire_uncoordinated=fire,
        p_receiving_fire_coordinated=fire_coordinated,
    )
    without = risk.estimate(figures, band, coordinated=False)
    with_ = risk.estimate(figures, band, coordinated=coordination)
    assert 0.0 <= without.survival <= 1.0
    assert 0.0 <= with_.survival <= 1.0
    assert with_.survival >= without.survival


@pytest.mark.parametrize(
    ("hour", "band"),
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
