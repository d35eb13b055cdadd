"""The bulk path into the search index: many documents at once, straight into its tables.

``index_assets()`` / ``rebuild()`` build each document from the models (a fixed number of
queries per batch) and write it with the ORM: right for edits and for a rebuild of a few
hundred thousand assets. ``bulk_load()`` is for loading a very large catalogue whose documents
are already built (a harvest of a national register, the benchmark's synthetic catalogue): it
writes ``search_document`` and ``search_text`` with ``executemany`` (SQLite) or ``COPY``
(PostgreSQL), builds the full-text index in one pass at the end, and re-creates the secondary
indexes after the rows are in, which is several times faster than maintaining them row by row.

Contract:

* ``documents`` are ``BulkDocument`` tuples **in descending static-weight order**; they get
  docids 1, 2, 3… in that order, which is what ``rebuild()`` produces and what the search
  algorithm relies on (the first matches in docid order are the heaviest).
* The index is replaced (everything in it before is removed) in one transaction.
* Afterwards the statistics are refreshed (``ANALYZE``) and, on SQLite, the FTS5 index is
  merged into one segment (``optimize``), so the first query does not pay for either.
"""

from __future__ import annotations

import io
import time
import uuid
from collections.abc import Callable, Iterable
from typing import NamedTuple

from django.db import connection, transaction

from heco.search.documents import joined

BATCH = 20_000


class BulkDocument(NamedTuple):
    asset_id: uuid.UUID
    title: str
    meta: str
    body: str
    country: str
    community: str
    organisation: str
    kind: str
    themes: tuple[str, ...] | list[str]
    accessibility: tuple[str, ...] | list[str]
    start_year: int | None
    end_year: int | None
    lat: float | None
    lon: float | None
    weight: float
    sort_title: str


DOCUMENT_COLUMNS = (
    "docid, asset_id, country, community, organisation, kind, themes, accessibility,"
    " start_year, end_year, lat, lon, weight, sort_title"
)


def document_row(docid: int, doc: BulkDocument, asset_id) -> tuple:
    from heco.search.backends.common import facet_bits

    return (
        docid,
        asset_id,
        doc.country,
        doc.community,
        doc.organisation,
        doc.kind,
        joined(doc.themes)[:255],
        joined(doc.accessibility)[:255],
        doc.start_year,
        doc.end_year,
        doc.lat,
        doc.lon,
        doc.weight,
        doc.sort_title[:255],
        facet_bits(doc.themes, doc.accessibility),
    )


def _keys(doc: BulkDocument) -> str:
    from heco.search.keys import document_keys

    return document_keys(
        country=doc.country,
        community=doc.community,
        organisation=doc.organisation,
        kind=doc.kind,
        themes=doc.themes,
        accessibility=doc.accessibility,
        lat=doc.lat,
        lon=doc.lon,
    )


def bulk_load(
    documents: Iterable[BulkDocument],
    *,
    progress: Callable[[int], None] | None = None,
    timings: dict | None = None,
) -> int:
    """Replace the index with ``documents``; returns how many were loaded.

    ``timings`` (optional) receives the seconds spent in each phase ("rows", "fulltext",
    "indexes", "analyze").
    """
    from heco.search.backends import get_backend

    timings = timings if timings is not None else {}
    vendor = connection.vendor
    with transaction.atomic(), connection.cursor() as cursor:
        get_backend().lock(cursor)
        dropped = _drop_secondary_indexes(cursor)
        if vendor == "sqlite":
            cursor.execute("INSERT INTO search_fts(search_fts) VALUES ('delete-all')")
        cursor.execute("DELETE FROM search_text")
        cursor.execute("DELETE FROM search_document")
        started = time.perf_counter()
        if vendor == "postgresql":
            count = _copy_rows_postgres(cursor, documents, progress)
        else:
            count = _insert_rows_sqlite(cursor, documents, progress)
        timings["rows"] = time.perf_counter() - started

        started = time.perf_counter()
        if vendor == "postgresql":
            pass  # the tsv column was computed on the way in (see _copy_rows_postgres)
        else:
            cursor.execute("INSERT INTO search_fts(search_fts) VALUES ('rebuild')")
            cursor.execute("INSERT INTO search_fts(search_fts) VALUES ('optimize')")
        timings["fulltext"] = time.perf_counter() - started

        started = time.perf_counter()
        _create_indexes(cursor, dropped)
        timings["indexes"] = time.perf_counter() - started
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE search_document")
        cursor.execute("ANALYZE search_text")
    from heco.search.facetcache import recount

    with transaction.atomic(), connection.cursor() as cursor:
        recount(cursor)
    timings["analyze"] = time.perf_counter() - started
    from heco.core.cache import bump_catalogue_version

    bump_catalogue_version()  # cached search pages are stale
    return count


def _secondary_indexes():
    from heco.search.models import SearchDocument

    return SearchDocument, list(SearchDocument._meta.indexes)


def _drop_secondary_indexes(cursor) -> list:
    _model, indexes = _secondary_indexes()
    for index in indexes:
        cursor.execute(f"DROP INDEX IF EXISTS {index.name}")
    if connection.vendor == "postgresql":
        from heco.search.backends.postgres import drop_tsv_index

        drop_tsv_index(cursor)
    return indexes


def _create_indexes(cursor, indexes) -> None:
    model, _all = _secondary_indexes()
    # the SQL Django's migrations use, without entering a schema editor (SQLite refuses that
    # inside a transaction with foreign key checks on)
    editor = connection.SchemaEditorClass(connection, collect_sql=False)
    for index in indexes:
        cursor.execute(str(index.create_sql(model, editor)))
    if connection.vendor == "postgresql":
        from heco.search.backends.postgres import create_tsv_index

        create_tsv_index(cursor)


def _insert_rows_sqlite(cursor, documents, progress) -> int:
    doc_sql = (
        f"INSERT INTO search_document ({DOCUMENT_COLUMNS}, facet_bits) "  # noqa: S608
        "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
    )
    text_sql = (
        "INSERT INTO search_text (docid, title, meta, body, keys) VALUES (%s, %s, %s, %s, %s)"
    )
    raw = cursor.cursor  # sqlite3 cursor underneath Django's wrapper: no per-row overhead
    doc_sql, text_sql = doc_sql.replace("%s", "?"), text_sql.replace("%s", "?")
    count = 0
    docs, texts = [], []
    for doc in documents:
        count += 1
        docs.append(document_row(count, doc, doc.asset_id.hex))
        texts.append((count, doc.title, doc.meta, doc.body, _keys(doc)))
        if len(docs) >= BATCH:
            raw.executemany(doc_sql, docs)
            raw.executemany(text_sql, texts)
            docs, texts = [], []
            if progress:
                progress(count)
    if docs:
        raw.executemany(doc_sql, docs)
        raw.executemany(text_sql, texts)
        if progress:
            progress(count)
    return count


def _copy_field(value) -> str:
    if value is None:
        return "\\N"
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _copy_rows_postgres(cursor, documents, progress) -> int:
    from heco.search.backends.postgres import MATCH_TSVECTOR, TITLE_TSVECTOR

    raw = cursor.cursor  # psycopg 3 cursor
    raw.execute(
        "CREATE TEMP TABLE search_bulk_document (LIKE search_document INCLUDING DEFAULTS) "
        "ON COMMIT DROP"
    )
    count = 0

    def flush(docs, texts):
        for table, columns, rows in (
            ("search_bulk_document", f"{DOCUMENT_COLUMNS}, facet_bits", docs),
            ("search_text", "docid, title, meta, body, keys", texts),
        ):
            buffer = io.StringIO()
            for row in rows:
                buffer.write("\t".join(_copy_field(v) for v in row))
                buffer.write("\n")
            with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                copy.write(buffer.getvalue())

    docs, texts = [], []
    for doc in documents:
        count += 1
        docs.append(document_row(count, doc, doc.asset_id))
        texts.append((count, doc.title, doc.meta, doc.body, _keys(doc)))
        if len(docs) >= BATCH:
            flush(docs, texts)
            docs, texts = [], []
            if progress:
                progress(count)
    if docs:
        flush(docs, texts)
        if progress:
            progress(count)
    # one INSERT … SELECT computes every tsvector (no UPDATE of a million rows afterwards)
    raw.execute(
        f"INSERT INTO search_document ({DOCUMENT_COLUMNS}, facet_bits, tsv, tsv_title) "  # noqa: S608
        f"SELECT {', '.join('d.' + c.strip() for c in DOCUMENT_COLUMNS.split(','))}, "
        f"d.facet_bits, {MATCH_TSVECTOR}, {TITLE_TSVECTOR} FROM search_bulk_document d "
        "JOIN search_text t ON t.docid = d.docid"
    )
    return count
