"""Exact facet counts of the whole index, for the unfiltered browse (``search_facet_count``).

A visitor who opens the search page without typing anything sees every facet of the whole
catalogue. Counting them at 1,000,000 documents reads the whole table; instead the counts
are kept in a small table, exact at all times:

* ``index_assets()`` applies deltas in its own transaction (the facet values of the documents
  it removes are subtracted, those it adds are added);
* ``rebuild()`` and ``bulk_load()`` recount everything (``recount()``);
* the row ("", "") holds the number of documents and marks the table as trustworthy; when it
  is missing (a new installation, a flushed test database), the next browse recounts first
  and deltas are not applied.
"""

from __future__ import annotations

from collections import Counter

from heco.search.backends import common
from heco.search.base import FACETS

# the facet columns of a document, in this order, as read by rows_for() and given to apply()
ROW_COLUMNS = "country, community, organisation, kind, themes, accessibility, start_year, end_year"
ROW_INDEX = {
    "country": (0,),
    "community": (1,),
    "organisation": (2,),
    "kind": (3,),
    "theme": (4,),
    "accessibility": (5,),
    "period": (6, 7),
}


def _counters(rows) -> dict[str, Counter]:
    return {
        name: common.facet_counter(name, [tuple(r[i] for i in ROW_INDEX[name]) for r in rows])
        for name in FACETS
    }


def recount(cursor) -> None:
    """Count every facet over the whole index (one GROUP BY per column) and store it."""
    counters: dict[str, Counter] = {}
    for name in ("country", "community", "organisation", "kind", "theme", "accessibility"):
        column = common.FACET_COLUMNS[name][0]
        cursor.execute(
            f"SELECT {column}, COUNT(*) FROM search_document "  # noqa: S608 - our column
            f"WHERE {column} <> '' GROUP BY {column}"
        )
        counter: Counter = Counter()
        for value, count in cursor.fetchall():
            for v in common.split(value) if name in common.MULTI_VALUED else [value]:
                counter[v] += count
        counters[name] = counter
    cursor.execute(
        "SELECT start_year, end_year, COUNT(*) FROM search_document "
        "WHERE start_year IS NOT NULL GROUP BY start_year, end_year"
    )
    period: Counter = Counter()
    for start, end, count in cursor.fetchall():
        for century in common.centuries(start, end):
            period[century] += count
    counters["period"] = period
    cursor.execute("SELECT COUNT(*) FROM search_document")
    total = cursor.fetchone()[0]
    cursor.execute("DELETE FROM search_facet_count")
    rows = [("", "", total)] + [
        (name, value[:120], count)
        for name, counter in counters.items()
        for value, count in counter.items()
        if count > 0
    ]
    cursor.executemany(
        "INSERT INTO search_facet_count (facet, value, count) VALUES (%s, %s, %s)", rows
    )


def invalidate(cursor=None) -> None:
    from django.db import connection

    if cursor is None:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM search_facet_count")
    else:
        cursor.execute("DELETE FROM search_facet_count")


def rows_for(cursor, clause) -> list[tuple]:
    """The facet columns of the documents selected by ``clause`` (on ``d.docid``)."""
    cursor.execute(
        f"SELECT {ROW_COLUMNS} FROM search_document d WHERE {clause.sql}",  # noqa: S608
        clause.params,
    )
    return cursor.fetchall()


def _trusted(cursor) -> bool:
    cursor.execute("SELECT 1 FROM search_facet_count WHERE facet = '' AND value = ''")
    return cursor.fetchone() is not None


def apply(cursor, removed: list[tuple], added: list[tuple]) -> None:
    """Subtract the facet values of ``removed`` rows, add those of ``added`` (ROW_COLUMNS)."""
    if not removed and not added:
        return
    if not _trusted(cursor):
        return  # recounted on the next browse
    delta: Counter = Counter()
    for sign, rows in ((-1, removed), (1, added)):
        if not rows:
            continue
        delta[("", "")] += sign * len(rows)
        for name, counter in _counters(rows).items():
            for value, count in counter.items():
                delta[(name, value[:120])] += sign * count
    for (name, value), change in delta.items():
        if not change:
            continue
        cursor.execute(
            "UPDATE search_facet_count SET count = count + %s WHERE facet = %s AND value = %s",
            [change, name, value],
        )
        if cursor.rowcount == 0 and change > 0:
            cursor.execute(
                "INSERT INTO search_facet_count (facet, value, count) VALUES (%s, %s, %s)",
                [name, value, change],
            )
    cursor.execute("DELETE FROM search_facet_count WHERE count <= 0 AND facet <> ''")


def browse(cursor, lock=None) -> tuple[int, dict]:
    """(number of documents, facets) of the whole index, exact. Inside a transaction;
    ``lock()`` serialises the recount with other browses and with index writers (two
    visitors opening the search page at once after an invalidation would otherwise both
    recount, and the second one's rows would collide with the first one's)."""
    if not _trusted(cursor):
        if lock is not None:
            lock()
        if not _trusted(cursor):  # another recount may have finished while we waited
            recount(cursor)
    cursor.execute("SELECT facet, value, count FROM search_facet_count")
    counters: dict[str, Counter] = {name: Counter() for name in FACETS}
    total = 0
    for name, value, count in cursor.fetchall():
        if name == "":
            total = count
        elif name in counters:
            counters[name][value] = count
    return total, {name: common.facet_values(name, counters[name]) for name in FACETS}
