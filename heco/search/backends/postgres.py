"""PostgreSQL backend: a ``tsv`` tsvector column on ``search_document`` with a GIN index.

Text is folded with ``heco_unaccent()`` (an IMMUTABLE wrapper of the ``unaccent`` extension)
and parsed with the 'simple' configuration (no language-specific stemming: the catalogue is
multilingual). Titles get weight A, names/tags/identifiers B, descriptions D. User words are
always sent as quoted tsquery lexemes (``'word'`` or ``'word':*``) joined by ``&``.
"""

from __future__ import annotations

from heco.search.backends.base import Source, SqlBackend
from heco.search.backends.common import MIN_PREFIX_CHARS, Clause
from heco.search.keys import collides

TSQUERY = "to_tsquery('simple', heco_unaccent(%s))"
# The text is cut into runs of letters and digits before parsing, as FTS5's unicode61 does and
# as tokenize() does with queries: PostgreSQL's parser would otherwise read "KVR-24571" as
# "kvr" and the signed number "-24571", and "24571" would not find it.
WORDS = "regexp_replace(heco_unaccent(coalesce(t.{0}, '')), '[^[:alnum:]]+', ' ', 'g')"
TSVECTOR = " || ".join(
    f"setweight(to_tsvector('simple', {WORDS.format(column)}), '{weight}')"
    for column, weight in (("title", "A"), ("meta", "B"), ("keys", "C"), ("body", "D"))
)


def create_tsv_index(cursor) -> None:
    """The GIN index on ``tsv`` (also re-created by the bulk path after loading)."""
    cursor.execute(
        "CREATE INDEX IF NOT EXISTS search_document_tsv ON search_document USING gin (tsv)"
    )


def tsquery_text(terms: list[str], prefix: bool, weights: str = "") -> str:
    """``'a' & 'b':*`` (``weights="A"``: only in titles, ``'a':A & 'b':*A``)."""
    quoted = ["'" + t.replace("'", "''").replace("\\", "") + "'" for t in terms]
    last = len(quoted) - 1
    for i in range(len(quoted)):
        star = "*" if prefix and i == last and len(terms[-1]) >= MIN_PREFIX_CHARS else ""
        if star or weights:
            quoted[i] += ":" + star + weights
    return " & ".join(quoted)


def full_tsquery(terms, prefix, groups, title=False) -> str:
    """The words (in titles only, with ``title``) AND one OR group of keys per filter:
    ``('a' & 'b':*) & ('qqxcit' | 'qqxcnl')`` (see heco.search.keys). Keys have weight C;
    words that could match a key are restricted to the text weights."""
    parts = []
    if terms:
        weights = "A" if title else ("ABD" if collides(terms, prefix) else "")
        parts.append("(" + tsquery_text(terms, prefix, weights) + ")")
    for group in groups:
        parts.append("(" + " | ".join(f"'{key}'" for key in group) + ")")
    return " & ".join(parts)


class PostgresBackend(SqlBackend):
    vendor = "postgresql"

    def source(self, terms, prefix, groups=()) -> Source:
        if not terms and not groups:
            return Source("search_document d", [], "d.docid")
        return Source(
            "search_document d",
            [Clause(f"d.tsv @@ {TSQUERY}", [full_tsquery(terms, prefix, groups)])],
            "d.docid",
        )

    def title_source(self, terms, prefix, groups=()) -> Source:
        return Source(
            "search_document d",
            [Clause(f"d.tsv @@ {TSQUERY}", [full_tsquery(terms, prefix, groups, title=True)])],
            "d.docid",
        )

    def text_scores(self, terms, prefix, docids, many=False):
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT docid, ts_rank(tsv, {TSQUERY}) FROM search_document "  # noqa: S608
                "WHERE docid = ANY(%s)",
                [tsquery_text(terms, prefix), list(docids)],
            )
            return {docid: float(score) for docid, score in cursor.fetchall()}

    def int_list_clause(self, column, values) -> Clause:
        return Clause(f"{column} = ANY(%s)", [[int(v) for v in values]])

    def asset_list_clause(self, column, values) -> Clause:
        return Clause(f"{column} = ANY(%s::uuid[])", [[str(v) for v in values]])

    def lock(self, cursor) -> None:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext('heco.search.index'))")

    def fts_insert(self, cursor, docids) -> None:
        sql = (
            f"UPDATE search_document d SET tsv = {TSVECTOR} FROM search_text t "  # noqa: S608
            "WHERE t.docid = d.docid"
        )
        params = []
        if docids is not None:
            sql += " AND d.docid = ANY(%s)"
            params.append([int(v) for v in docids])
        cursor.execute(sql, params)

    def fts_delete(self, cursor, docids) -> None:
        """Nothing to do: the tsv column goes with its row."""
