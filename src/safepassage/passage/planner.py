"""Assign many cases to crossing slots at once, maximising expected survivors.

Plain data in, plain data out: no Django here, so the bench and the tests drive it directly.

A slot is one sector in one window. Each case may go to some slots (its feasible sectors and
the windows it is available for) and is worth head_count × P(survive) there. Every other rule
is a *limit*: a set of slots that together take at most so many crossings — the capacity of a
slot, at most k crossings per sector per night, and at most as many crossings in a sector in
any N days as there are signals (so no signal repeats there within N days).

The linear programme is solved with HiGHS (scipy.optimize.linprog, dual simplex). When the
limits of each sector are nested (slot ⊂ night ⊂ planning horizon) the constraint matrix is
totally unimodular — two laminar families, cases and slots — so the optimal vertex is
already integral and the plan equals the LP bound. With overlapping N-day limits a vertex can
be fractional; then the integral part is kept and the rest is filled greedily, and the gap to
the LP upper bound is reported, never hidden.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import csr_matrix

INTEGRAL = 1e-6


@dataclass(frozen=True)
class Candidate:
    case: int
    head_count: int
    slots: tuple[int, ...]  # indices of the slots this case can use


@dataclass(frozen=True)
class Limit:
    slots: tuple[int, ...]
    at_most: int


@dataclass(frozen=True)
class Plan:
    assignments: dict[int, int]  # case → slot index
    expected_survivors: float
    upper_bound: float  # the LP relaxation's optimum: no plan can do better

    @property
    def gap(self) -> float:
        """How far the plan is below the bound, as a fraction of the bound."""
        if self.upper_bound <= 0:
            return 0.0
        return max(0.0, 1.0 - self.expected_survivors / self.upper_bound)


def plan(
    candidates: Sequence[Candidate], survival: Sequence[float], limits: Sequence[Limit]
) -> Plan:
    """The best assignment of `candidates` to slots whose survival estimates are `survival`."""
    case_of: list[int] = []
    slot_of: list[int] = []
    for i, candidate in enumerate(candidates):
        case_of.extend([i] * len(candidate.slots))
        slot_of.extend(candidate.slots)
    if not slot_of:
        return Plan({}, 0.0, 0.0)
    columns = np.arange(len(slot_of))
    cases = np.asarray(case_of)
    slots = np.asarray(slot_of)
    heads = np.asarray([c.head_count for c in candidates], dtype=float)
    value = heads[cases] * np.asarray(survival, dtype=float)[slots]

    # Rows: one per case (at most one slot), then one per limit.
    rows = [cases]
    cols = [columns]
    bounds = [np.ones(len(candidates))]
    members_of_slot: dict[int, list[int]] = {}
    for k, limit in enumerate(limits):
        for s in limit.slots:
            members_of_slot.setdefault(s, []).append(k)
    limit_rows: list[int] = []
    limit_cols: list[int] = []
    for column, s in enumerate(slot_of):
        for k in members_of_slot.get(s, ()):
            limit_rows.append(k)
            limit_cols.append(column)
    rows.append(np.asarray(limit_rows, dtype=int) + len(candidates))
    cols.append(np.asarray(limit_cols, dtype=int))
    bounds.append(np.asarray([limit.at_most for limit in limits], dtype=float))
    matrix = csr_matrix(
        (np.ones(sum(len(r) for r in rows)), (np.concatenate(rows), np.concatenate(cols))),
        shape=(len(candidates) + len(limits), len(slot_of)),
    )
    result = linprog(
        -value, A_ub=matrix, b_ub=np.concatenate(bounds), bounds=(0, 1), method="highs-ds"
    )
    if result.status != 0:
        raise RuntimeError(f"the planner's linear programme failed: {result.message}")
    upper_bound = float(-result.fun)

    room = [limit.at_most for limit in limits]
    assignments: dict[int, int] = {}
    for column in np.flatnonzero(result.x > 1 - INTEGRAL).tolist():
        i, slot = int(cases[column]), int(slots[column])
        assignments[candidates[i].case] = slot
        for k in members_of_slot.get(slot, ()):
            room[k] -= 1
    # Repair a fractional vertex: the most valuable unplaced cases take what room is left.
    unplaced = [i for i, c in enumerate(candidates) if c.case not in assignments]
    unplaced.sort(key=lambda i: -heads[i])
    for i in unplaced:
        for s in sorted(candidates[i].slots, key=lambda s: -survival[s]):
            if all(room[k] > 0 for k in members_of_slot.get(s, ())):
                assignments[candidates[i].case] = s
                for k in members_of_slot.get(s, ()):
                    room[k] -= 1
                break
    by_case = {c.case: c for c in candidates}
    expected = sum(by_case[case].head_count * survival[s] for case, s in assignments.items())
    return Plan(assignments, float(expected), upper_bound)
