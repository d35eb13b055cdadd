"""Database housekeeping shared by the bulk writers.

SQLite has no autovacuum/autoanalyze: without ``sqlite_stat1`` its planner guesses that an
equality (``status = 'published'``) is selective and reads a status index for queries that a
range or order index answers in milliseconds (the home page and "nearby" at 1,000,000 assets:
seconds instead of milliseconds). Writers that add or change many rows at once (a harvest,
the demo, benchmark builds) call ``refresh_statistics()`` at the end; PostgreSQL's autovacuum
does this by itself, and an explicit ANALYZE there is cheap too.
"""

from __future__ import annotations

from django.db import connection

BULK_ROWS = 1_000  # fewer changed rows than this: statistics are left as they are


def refresh_statistics(*tables: str, changed: int | None = None) -> bool:
    """ANALYZE these tables (all when none given) if ``changed`` is None or >= BULK_ROWS."""
    if changed is not None and changed < BULK_ROWS:
        return False
    with connection.cursor() as cursor:
        for table in tables or ("",):
            quoted = connection.ops.quote_name(table) if table else ""
            cursor.execute(f"ANALYZE {quoted}".strip())
    return True


def drop_single_column_indexes(table: str, columns: list[str]):
    """A migration operation's function: drop the plain (non-unique) single-column indexes on
    ``columns`` of ``table`` — the ones ``db_index=True`` made, whatever the database named
    them (PostgreSQL adds a ``_like`` twin for text columns). Used with
    ``SeparateDatabaseAndState`` instead of ``AlterField``, which on SQLite copies the whole
    table once per field to drop an index."""

    def forwards(apps, schema_editor):
        connection = schema_editor.connection
        with connection.cursor() as cursor:
            constraints = connection.introspection.get_constraints(cursor, table)
        for name, info in constraints.items():
            if (
                info.get("index")
                and not info.get("unique")
                and not info.get("primary_key")
                and len(info.get("columns") or []) == 1
                and info["columns"][0] in columns
            ):
                schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(name)}")

    return forwards
