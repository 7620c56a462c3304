"""Plain INSERT statements for the rows written inside every application's transaction.

Why by hand: SQLite lets one writer in at a time, and `Model.save` builds its INSERT anew for
every row (query, compiler, SQL text) while that lock is held; `make bench` showed the building
costing more than the write. `insert` writes the same columns, prepared by the same model
fields (auto_now dates, JSON, binary), with a statement built once per model and database.
Unlike `save` it sends no signals (the project has no receivers) and does not read back the id
of a new row: use it for rows nothing reads again in the same transaction.
"""

from collections.abc import Sequence
from functools import cache
from typing import Any

from django.db import connection
from django.db.models import Field, Model
from django.db.models.fields import AutoFieldMixin


def insert(row: Model) -> None:
    """Write `row` as a new row of its table, in the caller's transaction."""
    fields = _columns(type(row))
    values = [field.get_db_prep_save(field.pre_save(row, True), connection) for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(_statement(type(row), connection.vendor), values)


def insert_all(rows: Sequence[Model]) -> None:
    """Write rows of one model as new rows, in one INSERT (one round trip to PostgreSQL,
    where executemany would make one per row)."""
    if not rows:
        return
    fields = _columns(type(rows[0]))
    values = [
        field.get_db_prep_save(field.pre_save(row, True), connection)
        for row in rows
        for field in fields
    ]
    with connection.cursor() as cursor:
        cursor.execute(_statement(type(rows[0]), connection.vendor, len(rows)), values)


@cache
def _columns(model: type[Model]) -> list[Field[Any, Any]]:
    # The database numbers an automatic primary key itself.
    return [f for f in model._meta.concrete_fields if not isinstance(f, AutoFieldMixin)]


@cache
def _statement(model: type[Model], vendor: str, rows: int = 1) -> str:
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in _columns(model))
    placeholders = ", ".join(["(" + ", ".join(["%s"] * len(_columns(model))) + ")"] * rows)
    return f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES {placeholders}"  # noqa: S608
