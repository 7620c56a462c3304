"""Query-planner statistics for SQLite.

SQLite picks its query plans from statistics that only ANALYZE gathers. Without them it
guesses that an equality on an indexed column matches ten rows, and at a million cases it
then walks the whole table for the queue (measured: 180 ms instead of 15). PostgreSQL's
autovacuum keeps its statistics itself, so there this does nothing.
"""

from django.db import connection

# Rows sampled per index: enough for the planner, and the whole run stays in milliseconds.
ANALYSIS_LIMIT = 1000


def refresh() -> bool:
    """Gather fresh statistics; False where the database keeps its own."""
    if connection.vendor != "sqlite":
        return False
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA analysis_limit = {ANALYSIS_LIMIT}")
        cursor.execute("ANALYZE")
    return True
