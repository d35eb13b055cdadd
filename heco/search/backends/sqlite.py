"""SQLite backend: FTS5 (``search_fts``, external content ``search_text``, rowid = docid).

The tokenizer is ``unicode61 remove_diacritics 2``, so "zemaitija" matches "Žemaitija". User
words are always sent as quoted FTS5 strings (``"word"`` or ``"word"*`` for the type-ahead
prefix), implicitly ANDed, so no input can be read as FTS5 syntax.
"""

from __future__ import annotations

import json

from heco.search.backends.base import Source, SqlBackend
from heco.search.backends.common import MIN_PREFIX_CHARS, Clause

# bm25 column weights: title, meta (names, tags, designation, identifiers), body
BM25_WEIGHTS = (10.0, 4.0, 1.0)


def match_expression(terms: list[str], prefix: bool) -> str:
    quoted = ['"' + t.replace('"', '""') + '"' for t in terms]
    if prefix and quoted and len(terms[-1]) >= MIN_PREFIX_CHARS:
        quoted[-1] += "*"
    return " ".join(quoted)


class SqliteBackend(SqlBackend):
    vendor = "sqlite"

    def source(self, terms, prefix) -> Source:
        if not terms:
            return Source("search_document d", [], "d.docid")
        return Source(
            # CROSS JOIN fixes the join order: walk the doclist in rowid order and look rows up
            # by primary key. The other order (an index on a filter column, then one MATCH per
            # row) re-reads the doclist of a common word thousands of times.
            "search_fts CROSS JOIN search_document d ON d.docid = search_fts.rowid",
            [Clause("search_fts MATCH %s", [match_expression(terms, prefix)])],
            "search_fts.rowid",
        )

    def text_scores(self, terms, prefix, docids):
        weights = ", ".join(str(w) for w in BM25_WEIGHTS)
        cursor_sql = (
            f"SELECT rowid, bm25(search_fts, {weights}) FROM search_fts "  # noqa: S608
            "WHERE search_fts MATCH %s AND rowid BETWEEN %s AND %s "
            # "+rowid": a plain filter, not an equality constraint handed to FTS5 (which would
            # re-run the MATCH once per candidate); the BETWEEN range is what FTS5 uses
            "AND +rowid IN (SELECT value FROM json_each(%s))"
        )
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(
                cursor_sql,
                [match_expression(terms, prefix), min(docids), max(docids), json.dumps(docids)],
            )
            return {docid: -score for docid, score in cursor.fetchall()}

    def int_list_clause(self, column, values) -> Clause:
        sql = f"{column} IN (SELECT value FROM json_each(%s))"  # noqa: S608 - column is ours
        return Clause(sql, [json.dumps(list(values))])

    def asset_list_clause(self, column, values) -> Clause:
        hexes = [getattr(v, "hex", str(v).replace("-", "")) for v in values]
        sql = f"{column} IN (SELECT value FROM json_each(%s))"  # noqa: S608 - column is ours
        return Clause(sql, [json.dumps(hexes)])

    def fts_insert(self, cursor, docids) -> None:
        if docids is None:
            cursor.execute("INSERT INTO search_fts(search_fts) VALUES ('rebuild')")
            return
        clause = self.int_list_clause("docid", docids)
        select = f"SELECT docid, title, meta, body FROM search_text WHERE {clause.sql}"  # noqa: S608
        cursor.execute("INSERT INTO search_fts(rowid, title, meta, body) " + select, clause.params)

    def fts_delete(self, cursor, docids) -> None:
        if docids is None:
            cursor.execute("INSERT INTO search_fts(search_fts) VALUES ('delete-all')")
            return
        clause = self.int_list_clause("docid", docids)
        # external content: FTS5 needs the old values to remove their tokens
        select = f"SELECT 'delete', docid, title, meta, body FROM search_text WHERE {clause.sql}"  # noqa: S608, E501
        cursor.execute(
            "INSERT INTO search_fts(search_fts, rowid, title, meta, body) " + select, clause.params
        )
