"""SQLite backend: FTS5 (``search_fts``, external content ``search_text``, rowid = docid).

The tokenizer is ``unicode61 remove_diacritics 2``, so "zemaitija" matches "Žemaitija". User
words are always sent as quoted FTS5 strings (``"word"`` or ``"word"*`` for the type-ahead
prefix), implicitly ANDed, so no input can be read as FTS5 syntax.
"""

from __future__ import annotations

import json

from heco.search.backends.base import Source, SqlBackend
from heco.search.backends.common import MIN_PREFIX_CHARS, Clause
from heco.search.keys import collides

# bm25 column weights: title, meta (names, tags, designation, identifiers), body, keys
BM25_WEIGHTS = (10.0, 4.0, 1.0, 0.0)


def match_expression(terms: list[str], prefix: bool) -> str:
    quoted = ['"' + t.replace('"', '""') + '"' for t in terms]
    if prefix and quoted and len(terms[-1]) >= MIN_PREFIX_CHARS:
        quoted[-1] += "*"
    return " ".join(quoted)


def title_expression(terms: list[str], prefix: bool) -> str:
    """Every word in the title column: ``title : ("a" "b"*)``."""
    return "title : (" + match_expression(terms, prefix) + ")"


def full_expression(terms, prefix, groups, title=False) -> str:
    """The words (in the title only, with ``title``) AND one OR group of keys per filter:
    ``("a" "b"*) AND keys : ("qqxcit" OR "qqxcnl")`` (see heco.search.keys)."""
    parts = []
    if terms:
        if title:
            parts.append(title_expression(terms, prefix))
        elif collides(terms, prefix):
            parts.append("{title meta body} : (" + match_expression(terms, prefix) + ")")
        else:
            parts.append("(" + match_expression(terms, prefix) + ")")
    for group in groups:
        parts.append("keys : (" + " OR ".join(f'"{key}"' for key in group) + ")")
    return " AND ".join(parts)


class SqliteBackend(SqlBackend):
    vendor = "sqlite"
    browse_from = "search_document d INDEXED BY search_doc_browse"

    def source(self, terms, prefix, groups=()) -> Source:
        if not terms and not groups:
            return Source("search_document d", [], "d.docid")
        return Source(
            # CROSS JOIN fixes the join order: walk the doclist in rowid order and look rows up
            # by primary key. The other order (an index on a filter column, then one MATCH per
            # row) re-reads the doclist of a common word thousands of times.
            "search_fts CROSS JOIN search_document d ON d.docid = search_fts.rowid",
            [Clause("search_fts MATCH %s", [full_expression(terms, prefix, groups)])],
            "search_fts.rowid",
        )

    def title_source(self, terms, prefix, groups=()) -> Source:
        source = self.source(terms, prefix, groups)
        source.where = [
            Clause("search_fts MATCH %s", [full_expression(terms, prefix, groups, title=True)])
        ]
        return source

    def text_scores(self, terms, prefix, docids, many=False):
        if many:
            return self._field_scores(terms, prefix, docids)
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

    def _field_scores(self, terms, prefix, docids):
        """Title > meta > body, without bm25: bm25 counts every document of each word
        (a full doclist scan: ~0.5 s for a word in 500,000 documents). Each column filter
        query only walks the doclists between the smallest and largest candidate."""
        from django.db import connection

        scores = dict.fromkeys(docids, 1.0)  # every candidate matches somewhere
        expression = match_expression(terms, prefix)
        with connection.cursor() as cursor:
            for column, weight in (("meta", BM25_WEIGHTS[1]), ("title", BM25_WEIGHTS[0])):
                cursor.execute(
                    "SELECT rowid FROM search_fts WHERE search_fts MATCH %s "
                    "AND rowid BETWEEN %s AND %s AND +rowid IN (SELECT value FROM json_each(%s))",
                    [f"{column} : ({expression})", min(docids), max(docids), json.dumps(docids)],
                )
                for (docid,) in cursor.fetchall():
                    scores[docid] = max(scores[docid], weight)
        return scores

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
        select = f"SELECT docid, title, meta, body, keys FROM search_text WHERE {clause.sql}"  # noqa: S608
        cursor.execute(
            "INSERT INTO search_fts(rowid, title, meta, body, keys) " + select, clause.params
        )

    def fts_delete(self, cursor, docids) -> None:
        if docids is None:
            cursor.execute("INSERT INTO search_fts(search_fts) VALUES ('delete-all')")
            return
        clause = self.int_list_clause("docid", docids)
        # external content: FTS5 needs the old values to remove their tokens
        select = (
            f"SELECT 'delete', docid, title, meta, body, keys FROM search_text WHERE {clause.sql}"  # noqa: S608, E501
        )
        cursor.execute(
            "INSERT INTO search_fts(search_fts, rowid, title, meta, body, keys) " + select,
            clause.params,
        )
