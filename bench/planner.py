"""The planner at the issue's scale: 10,000 cases × 200 sectors × 14 windows.

Each case can reach one to three neighbouring sectors and is available from a random night
on; sectors have random figures under the risk model and random outcomes of their own, so
the planner sees posterior figures (passage/learning.py), as it does in use; every sector
takes one or two crossings per window, two per night, and four signals rotate over seven
nights. Printed: the
solve time, the plan's expected survivors, the LP upper bound and the gap, and the same for
a greedy baseline (best-value-first) measured in the same run.
"""

import random
import time
from collections import Counter

from safepassage.passage import learning, risk
from safepassage.passage.planner import Candidate, Limit, plan

CASES, SECTORS, NIGHTS, WINDOWS_PER_NIGHT, SIGNALS = 10_000, 200, 7, 2, 4


def instance(seed: int = 7) -> tuple[list[Candidate], list[float], list[Limit]]:
    rng = random.Random(seed)
    windows = NIGHTS * WINDOWS_PER_NIGHT
    survival, limits = [], []
    for sector in range(SECTORS):
        figures = risk.SectorFigures(
            distance_km=rng.uniform(2.0, 8.0),
            p_own_side=rng.uniform(0.05, 0.3),
            mines_per_km=rng.uniform(0.02, 0.3),
        )
        # Posterior figures, as the planner uses them: each sector with outcomes of its own.
        counts = Counter(
            {
                "arrived": rng.randint(0, 40),
                "killed": rng.randint(0, 8),
                "captured": rng.randint(0, 4),
            }
        )
        knowledge = learning.from_counts(figures, 10, counts)
        for w in range(windows):
            band = risk.Band.NIGHT if w % 2 == 0 else risk.Band.DAWN
            model = risk.estimate(figures, band, coordinated=True)
            survival.append(learning.adjusted(model, knowledge).survival)
            limits.append(Limit((sector * windows + w,), rng.choice([1, 2])))
        for night in range(NIGHTS):
            first = sector * windows + night * WINDOWS_PER_NIGHT
            limits.append(Limit(tuple(range(first, first + WINDOWS_PER_NIGHT)), 2))
        limits.append(Limit(tuple(range(sector * windows, (sector + 1) * windows)), SIGNALS))
    candidates = []
    for case in range(CASES):
        base = rng.randrange(SECTORS)
        reach = [(base + i) % SECTORS for i in range(rng.randint(1, 3))]
        start = rng.randrange(NIGHTS) * WINDOWS_PER_NIGHT
        slots = tuple(s * windows + w for s in reach for w in range(start, windows))
        candidates.append(Candidate(case, rng.choice([1, 1, 1, 1, 2, 3]), slots))
    return candidates, survival, limits


def greedy(candidates, survival, limits) -> float:
    """Best value first: the obvious hand-written alternative, as a baseline."""
    member = {}
    for k, limit in enumerate(limits):
        for s in limit.slots:
            member.setdefault(s, []).append(k)
    room = [limit.at_most for limit in limits]
    options = sorted(
        ((c.head_count * survival[s], c.case, s) for c in candidates for s in c.slots),
        reverse=True,
    )
    placed, total = set(), 0.0
    for value, case, s in options:
        if case in placed or any(room[k] <= 0 for k in member[s]):
            continue
        placed.add(case)
        total += value
        for k in member[s]:
            room[k] -= 1
    return total


def run() -> dict[str, float]:
    candidates, survival, limits = instance()
    start = time.perf_counter()
    result = plan(candidates, survival, limits)
    solve = time.perf_counter() - start
    start = time.perf_counter()
    baseline = greedy(candidates, survival, limits)
    greedy_time = time.perf_counter() - start
    return {
        "cases": CASES,
        "sectors": SECTORS,
        "windows": NIGHTS * WINDOWS_PER_NIGHT,
        "variables": sum(len(c.slots) for c in candidates),
        "solve_seconds": solve,
        "placed": len(result.assignments),
        "expected_survivors": result.expected_survivors,
        "lp_upper_bound": result.upper_bound,
        "gap_to_lp_bound": result.gap,
        "greedy_seconds": greedy_time,
        "greedy_expected_survivors": baseline,
        "ratio_to_greedy": result.expected_survivors / baseline,
    }


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))
