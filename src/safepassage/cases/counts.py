"""Counters of cases per state, kept as they change rather than counted on every page view:
at a million cases a GROUP BY over them costs a staff page most of its time budget.

Only two places change how many cases are in a state: `cases.transitions.create_case` (a
new case) and `cases.transitions.perform` (a move). Both call `moved` inside their
transaction, and `campaign_moved` for a case that came with a campaign's code (the case's
campaign is sealed: these counters are what the campaign figures read). `recount` rebuilds
the state counters from the cases, for bulk loads and repairs.
"""

from datetime import date

from django.db import connection, transaction
from django.db.models import Count, Sum

from safepassage.cases.models import CampaignCount, Case, StateCount
from safepassage.lib import display


def moved(programme_id: int, source: str | None, target: str, channel: str = "web") -> None:
    """One case of the programme, come in by `channel`, left `source` (None for a new case)
    for `target`."""
    _move(StateCount, {"programme_id": programme_id, "channel": channel}, source, target)


def campaign_moved(case: Case, source: str | None, target: str) -> None:
    """The case, if a campaign brought it, left `source` (None: new) for `target`, counted
    under the day it came in."""
    if case.campaign_id is not None:
        day = display.calendar_day(case.created_at)
        where: dict[str, int | str | date] = {"campaign_id": case.campaign_id, "day": day}
        _move(CampaignCount, where, source, target)


def _move(
    model: type[StateCount] | type[CampaignCount],
    where: dict[str, int | str | date],
    source: str | None,
    target: str,
) -> None:
    """One off the `source` counter, one on the `target`'s, among the rows `where` names.

    Two plain statements rather than the ORM's: this runs inside every application's
    transaction, while SQLite lets one writer in at a time (see `make bench`)."""
    states = [target] if source is None else [source, target]
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(where)
    row = ", ".join(["%s"] * (len(where) + 1))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({columns}, state, count) VALUES "  # noqa: S608
            + ", ".join([f"({row}, 0)"] * len(states))
            + f" ON CONFLICT ({columns}, state) DO NOTHING",
            [value for state in states for value in (*where.values(), state)],
        )
        matches = " AND ".join(f"{column} = %s" for column in where)
        cursor.execute(
            f"UPDATE {table} SET count = count + CASE WHEN state = %s THEN 1 ELSE -1 END"  # noqa: S608
            f" WHERE {matches} AND state IN ({', '.join(['%s'] * len(states))})",
            [target, *where.values(), *states],
        )


def by_state(programme_ids: list[int]) -> dict[str, int]:
    rows = (
        StateCount.objects.filter(programme_id__in=programme_ids)
        .values_list("state")
        .annotate(total=Sum("count"))
    )
    return {state: int(total) for state, total in rows}


def by_channel(programme_ids: list[int], states: list[str]) -> dict[str, int]:
    """How many cases in `states` came in by each channel."""
    rows = (
        StateCount.objects.filter(programme_id__in=programme_ids, state__in=states)
        .values_list("channel")
        .annotate(total=Sum("count"))
    )
    return {channel: int(total) for channel, total in rows}


@transaction.atomic
def recount(programme_id: int) -> None:
    StateCount.objects.filter(programme_id=programme_id).delete()
    rows = (
        Case.objects.filter(programme_id=programme_id)
        .values_list("state", "channel")
        .annotate(n=Count("pk"))
    )
    StateCount.objects.bulk_create(
        StateCount(programme_id=programme_id, state=state, channel=channel, count=n)
        for state, channel, n in rows
    )
