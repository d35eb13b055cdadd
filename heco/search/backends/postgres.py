"""PostgreSQL backend: ``tsv`` and ``tsv_title`` tsvector columns on ``search_document``, each
with a GIN index.

Text is folded with ``heco_unaccent()`` (an IMMUTABLE wrapper of the ``unaccent`` extension)
and parsed with the 'simple' configuration (no language-specific stemming: the catalogue is
multilingual). User words are always sent as quoted tsquery lexemes (``'word'`` or
``'word':*``) joined by ``&``.

* ``tsv`` matches: every word of the three text fields, *stripped* (no positions, no weights:
  about 1.4 KB at ~830 bytes of text, so the row stays inline and a scan in docid order tests
  it without de-TOASTing), plus the filter keys as lexemes ``_<key>`` (heco.search.keys). The
  underscore cannot come out of the parser, so no user word ever reaches a key, and key groups
  are sent as a literal tsquery (``'_qqxcit' | '_qqxcnl'``), never parsed.
* ``tsv_title``: the words of the titles, stripped, for "every word in a title".
* Relevance: for a few candidates of rare words, ``ts_rank`` over the weighted vector (titles A,
  names/tags B, descriptions D) computed on the fly from ``search_text``; for common words or
  many candidates, a field score (title 10, elsewhere 1) from ``tsv_title``, like SQLite's.
"""

from __future__ import annotations

from heco.search.backends.base import Source, SqlBackend
from heco.search.backends.common import MIN_PREFIX_CHARS, Clause

TSQUERY = "to_tsquery('simple', heco_unaccent(%s))"
# The text is cut into runs of letters and digits before parsing, as FTS5's unicode61 does and
# as tokenize() does with queries: PostgreSQL's parser would otherwise read "KVR-24571" as
# "kvr" and the signed number "-24571", and "24571" would not find it.
WORDS = "regexp_replace(heco_unaccent(coalesce({0}, '')), '[^[:alnum:]]+', ' ', 'g')"
# the weighted vector (for ts_rank of a few candidates)
TSVECTOR = " || ".join(
    f"setweight(to_tsvector('simple', {WORDS.format('t.' + column)}), '{weight}')"
    for column, weight in (("title", "A"), ("meta", "B"), ("body", "D"))
)
KEY_PREFIX = "_"
# the underscore of the keys (KEY_PREFIX) is spelled out: it cannot come out of the parser
MATCH_TSVECTOR = (
    "strip(to_tsvector('simple', "
    + WORDS.format("concat_ws(' ', t.title, t.meta, t.body)")
    + ")) || array_to_tsvector(ARRAY(SELECT '_' || k "
    "FROM unnest(string_to_array(coalesce(t.keys, ''), ' ')) k WHERE k <> ''))"
)
TITLE_TSVECTOR = "strip(to_tsvector('simple', " + WORDS.format("t.title") + "))"
RANK_CANDIDATES_LIMIT = 150  # more candidates than this are scored by field (see above)
TITLE_SCORE = 10.0


def create_tsv_index(cursor) -> None:
    """The GIN indexes on ``tsv`` and ``tsv_title`` (also re-created by the bulk path)."""
    cursor.execute(
        "CREATE INDEX IF NOT EXISTS search_document_tsv ON search_document USING gin (tsv)"
    )
    cursor.execute(
        "CREATE INDEX IF NOT EXISTS search_document_tsv_title "
        "ON search_document USING gin (tsv_title)"
    )


def drop_tsv_index(cursor) -> None:
    cursor.execute("DROP INDEX IF EXISTS search_document_tsv")
    cursor.execute("DROP INDEX IF EXISTS search_document_tsv_title")


def update_vectors_sql() -> str:
    """UPDATE every row's ``tsv`` and ``tsv_title`` from ``search_text``."""
    return (
        f"UPDATE search_document d SET tsv = {MATCH_TSVECTOR}, "  # noqa: S608
        f"tsv_title = {TITLE_TSVECTOR} FROM search_text t WHERE t.docid = d.docid"
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


def keys_tsquery(groups) -> str:
    """One OR group per filter, ANDed: ``('_qqxcit' | '_qqxcnl') & ('_qqxkbuilding')``."""
    return " & ".join(
        "(" + " | ".join(f"'{KEY_PREFIX}{key}'" for key in group) + ")" for group in groups
    )


def match_clause(column: str, terms, prefix, groups) -> Clause:
    if terms and groups:
        return Clause(
            f"d.{column} @@ ({TSQUERY} && %s::tsquery)",
            [tsquery_text(terms, prefix), keys_tsquery(groups)],
        )
    if terms:
        return Clause(f"d.{column} @@ {TSQUERY}", [tsquery_text(terms, prefix)])
    return Clause(f"d.{column} @@ %s::tsquery", [keys_tsquery(groups)])


class PostgresBackend(SqlBackend):
    vendor = "postgresql"

    def source(self, terms, prefix, groups=()) -> Source:
        if not terms:
            # filters without words: the b-trees on the filter columns beat testing the keys
            # row by row along the primary key, which is what the planner picks for them
            return Source("search_document d", [], "d.docid")
        return Source("search_document d", [match_clause("tsv", terms, prefix, groups)], "d.docid")

    def title_source(self, terms, prefix, groups=()) -> Source:
        where = [match_clause("tsv_title", terms, prefix, [])]
        if groups:
            where.append(match_clause("tsv", [], prefix, groups))
        return Source("search_document d", where, "d.docid")

    def text_scores(self, terms, prefix, docids, many=False):
        from django.db import connection

        docids = [int(d) for d in docids]
        with connection.cursor() as cursor:
            if not many and len(docids) <= RANK_CANDIDATES_LIMIT:
                cursor.execute(
                    f"SELECT t.docid, ts_rank({TSVECTOR}, {TSQUERY}) FROM search_text t "  # noqa: S608
                    "WHERE t.docid = ANY(%s)",
                    [tsquery_text(terms, prefix), docids],
                )
                return {docid: float(score) for docid, score in cursor.fetchall()}
            scores = dict.fromkeys(docids, 1.0)  # every candidate matches somewhere
            cursor.execute(
                f"SELECT docid FROM search_document WHERE docid = ANY(%s) AND tsv_title @@ {TSQUERY}",  # noqa: S608, E501
                [docids, tsquery_text(terms, prefix)],
            )
            for (docid,) in cursor.fetchall():
                scores[docid] = TITLE_SCORE
            return scores

    def int_list_clause(self, column, values) -> Clause:
        return Clause(f"{column} = ANY(%s)", [[int(v) for v in values]])

    def asset_list_clause(self, column, values) -> Clause:
        return Clause(f"{column} = ANY(%s::uuid[])", [[str(v) for v in values]])

    def lock(self, cursor) -> None:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext('heco.search.index'))")

    def fts_insert(self, cursor, docids) -> None:
        sql = update_vectors_sql()
        params = []
        if docids is not None:
            sql += " AND d.docid = ANY(%s)"
            params.append([int(v) for v in docids])
        cursor.execute(sql, params)

    def fts_delete(self, cursor, docids) -> None:
        """Nothing to do: the tsv columns go with their row."""
