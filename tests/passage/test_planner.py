"""The planner against brute force on small instances, and its limits on random ones."""

import itertools
import random

import pytest

from safepassage.passage.planner import Candidate, Limit, plan


def feasible(assignment, candidates, limits):
    counts: dict[object, int] = {}
    for slot in assignment.values():
        counts[slot] = counts.get(slot, 0) + 1
    by_case = {c.case: c for c in candidates}
    return all(slot in by_case[case].slots for case, slot in assignment.items()) and all(
        sum(counts.get(s, 0) for s in limit.slots) <= limit.at_most for limit in limits
    )


def brute_force(candidates, survival, limits):
    best = 0.0
    options = [(None, *c.slots) for c in candidates]
    for choice in itertools.product(*options):
        assignment = {c.case: s for c, s in zip(candidates, choice, strict=True) if s is not None}
        if feasible(assignment, candidates, limits):
            value = sum(
                c.head_count * survival[s]
                for c, s in zip(candidates, choice, strict=True)
                if s is not None
            )
            best = max(best, value)
    return best


@pytest.mark.parametrize("seed", range(25))
def test_small_plans_are_optimal_and_within_every_limit(seed):
    rng = random.Random(seed)
    slots = 6
    survival = [round(rng.uniform(0.1, 0.6), 3) for _ in range(slots)]
    candidates = [
        Candidate(
            case,
            rng.choice([1, 1, 2, 3]),
            tuple(sorted(rng.sample(range(slots), rng.randint(1, 3)))),
        )
        for case in range(5)
    ]
    # Two sectors of three slots: capacity per slot, per "night" (pairs), per sector.
    limits = [Limit((s,), 1) for s in range(slots)]
    limits += [Limit((0, 1), 1), Limit((3, 4), 1), Limit((0, 1, 2), 2), Limit((3, 4, 5), 2)]
    result = plan(candidates, survival, limits)
    assert feasible(result.assignments, candidates, limits)
    assert result.expected_survivors == pytest.approx(brute_force(candidates, survival, limits))
    assert result.expected_survivors <= result.upper_bound + 1e-9


@pytest.mark.parametrize("seed", range(10))
def test_overlapping_limits_still_give_a_feasible_plan_below_the_bound(seed):
    rng = random.Random(100 + seed)
    slots = 12
    survival = [rng.uniform(0.1, 0.6) for _ in range(slots)]
    candidates = [
        Candidate(case, rng.choice([1, 2]), tuple(rng.sample(range(slots), 4)))
        for case in range(20)
    ]
    limits = [Limit((s,), 1) for s in range(slots)]
    limits += [Limit(tuple(range(i, i + 4)), 2) for i in range(0, slots - 3)]  # rolling
    result = plan(candidates, survival, limits)
    assert feasible(result.assignments, candidates, limits)
    assert result.expected_survivors <= result.upper_bound + 1e-9
    assert result.gap < 0.25


def test_nothing_to_plan_is_an_empty_plan():
    assert plan([Candidate(1, 1, ())], [0.5], []).assignments == {}
