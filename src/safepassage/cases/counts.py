"""Counters of cases per state, kept as they change rather than counted on every page view:
at a million cases a GROUP BY over them costs a staff page most of its time budget.

Only two places change how many cases are in a state: `cases.services.submit_application`
(a new case) and `cases.transitions.perform` (a move). Both call `moved` inside their
transaction. `recount` rebuilds the counters from the cases, for bulk loads and repairs.
"""

from django.db import transaction
from django.db.models import Count, F, Sum

from safepassage.cases.models import Case, StateCount


def _add(programme_id: int, state: str, delta: int) -> None:
    rows = StateCount.objects.filter(programme_id=programme_id, state=state)
    if not rows.update(count=F("count") + delta):
        StateCount.objects.get_or_create(programme_id=programme_id, state=state)
        rows.update(count=F("count") + delta)


def moved(programme_id: int, source: str | None, target: str) -> None:
    """One case of the programme left `source` (None for a new case) for `target`."""
    if source is not None:
        _add(programme_id, source, -1)
    _add(programme_id, target, +1)


def by_state(programme_ids: list[int]) -> dict[str, int]:
    rows = (
        StateCount.objects.filter(programme_id__in=programme_ids)
        .values_list("state")
        .annotate(total=Sum("count"))
    )
    return {state: int(total) for state, total in rows}


@transaction.atomic
def recount(programme_id: int) -> None:
    StateCount.objects.filter(programme_id=programme_id).delete()
    rows = (
        Case.objects.filter(programme_id=programme_id).values_list("state").annotate(n=Count("pk"))
    )
    StateCount.objects.bulk_create(
        StateCount(programme_id=programme_id, state=state, count=n) for state, n in rows
    )
