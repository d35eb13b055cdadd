"""The search algorithm shared by both backends, written once over plain SQL.

Design for large indexes (1,000,000 documents, p95 <= 50 ms including facets):

* ``search_document.docid`` is assigned by ``rebuild()`` in descending static-weight order,
  so the full-text doclists (FTS5 rowid order / the docid order we ask PostgreSQL for) list
  the most important documents first. New documents indexed between rebuilds are appended
  (largest docid) until the next rebuild puts them in place.
* **Matching** reads at most ``EXACT_LIMIT + 1`` (2,001) matching documents, in docid order,
  with every filter applied in SQL (themes/accessibility as one ``facet_bits & mask`` test).
  If there are no more than ``EXACT_LIMIT``, the total and facet counts are exact. Otherwise
  the first ``EXACT_LIMIT`` are a sample (biased towards heavy documents): the total is
  extrapolated from how far into the docid range the sample reached
  (``EXACT_LIMIT * max_docid / last_sampled_docid``), facet counts are scaled by the same
  factor, and ``total_exact`` / ``facets_exact`` are False (the site says "about N"). The
  sample was 20,000 rows; reading and counting them cost 0.3-0.5 s at 200,000 documents.
* **Unfiltered browse** (no text, no filter) reads its exact total and facets from
  ``search_facet_count`` (kept exact by every index write, see ``heco.search.facetcache``)
  and its page from the (weight, title) index: no scan at any size.
* **Ranking** scores, with the text score (FTS5 bm25 / ts_rank, titles weighted above
  names/tags above descriptions) multiplied by ``1 + WEIGHT_BOOST * weight``, only:
  the first ``RANK_CANDIDATES`` matches (the heaviest ones), the first ``TITLE_CANDIDATES``
  matches with every word in a title (so that a light document whose title matches is not
  lost behind thousands of heavy documents that only mention the word), and the documents
  whose display title *is* the query (an index lookup on ``sort_title``), which come first.
  The other matches follow in docid order. With an empty ``q`` (browse) results are ordered
  by weight, then title, then docid, from an index.
* **Facets are disjunctive**: the counts of a facet ignore that facet's own filter (so a
  visitor who ticked "LT" still sees how many results "IT" would add) but respect every
  other filter and the text. Facets without a filter are counted on the main result rows;
  each facet with a filter costs one more bounded query. ``period`` counts centuries (value
  "1500" = 1500-1599) an asset's [start_year, end_year] overlaps, in chronological order;
  the other facets list the most frequent values first (at most ``FACET_VALUES_LIMIT``).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterable

from django.db import connection, transaction

from heco.search import keys as filter_keys
from heco.search.backends import common
from heco.search.backends.common import Clause
from heco.search.base import FACETS, SearchQuery, SearchResult

log = logging.getLogger(__name__)

EXACT_LIMIT = 2_000  # matches read per query; beyond this, totals and facets are estimated
RANK_CANDIDATES = 500  # matches scored for relevance; the rest follow in weight order
PREFIX_PROBE_CHARS = 4  # longer last words are first tried as whole words (see search())
TITLE_CANDIDATES = 200  # matches with every word in a title, also scored (see _ranked_page)
WEIGHT_BOOST = 0.5  # final score = text score * (1 + WEIGHT_BOOST * static weight)
MAX_LIMIT = 200  # page size cap
INDEX_BATCH = 500  # assets per build/write batch in index_assets() and rebuild()
INDEX_COMMIT = 5_000  # assets per transaction in index_assets() (a write lock of ~1 s)
REBUILD_OFFSET = 1_000_000_000  # temporary docids during rebuild(), renumbered at the end

FACET_ROW_COLUMNS = (
    "d.docid, d.weight, d.country, d.community, d.organisation, d.kind, d.themes,"
    " d.accessibility, d.start_year, d.end_year"
)
# position of each facet's columns in a FACET_ROW_COLUMNS row
FACET_ROW_INDEX = {
    "country": (2,),
    "community": (3,),
    "organisation": (4,),
    "kind": (5,),
    "theme": (6,),
    "accessibility": (7,),
    "period": (8, 9),
}


class Source:
    """Where matching documents come from: FROM, text WHERE, ORDER BY docid expression."""

    def __init__(self, from_sql: str, where: list[Clause], order: str):
        self.from_sql = from_sql
        self.where = where
        self.order = order


class SqlBackend:
    vendor = ""

    # ---- backend-specific hooks -------------------------------------------------------
    def source(self, terms: list[str], prefix: bool, groups=()) -> Source:
        """Documents with every word and, for each group of filter keys, one of its keys
        (see heco.search.keys); no words and no keys: every document."""
        raise NotImplementedError

    def title_source(self, terms: list[str], prefix: bool, groups=()) -> Source:
        """Like source(), but every word must be in the title field."""
        raise NotImplementedError

    def text_scores(
        self, terms: list[str], prefix: bool, docids: list[int], many: bool = False
    ) -> dict[int, float]:
        """Relevance (higher is better) of the given matching docids; ``many``: the words
        match more than EXACT_LIMIT documents (a backend may then use a cheaper score)."""
        raise NotImplementedError

    def int_list_clause(self, column: str, values: list[int]) -> Clause:
        raise NotImplementedError

    def asset_list_clause(self, column: str, values: Iterable[uuid.UUID]) -> Clause:
        raise NotImplementedError

    def fts_insert(self, cursor, docids: list[int] | None) -> None:
        """Add the text of these docids (None: all) to the full-text index."""
        raise NotImplementedError

    def fts_delete(self, cursor, docids: list[int] | None) -> None:
        """Remove these docids (None: all) from the full-text index (before their rows go)."""
        raise NotImplementedError

    def lock(self, cursor) -> None:
        """Serialise index writers (docid allocation)."""

    # FROM clause of a filtered browse page with many matches: rows in browse order, filters
    # tested on the way (a planner may prefer a filter column's index and sort them all)
    browse_from = "search_document d"

    # ---- search ----------------------------------------------------------------------
    def search(self, query: SearchQuery) -> SearchResult:
        terms = common.tokenize(query.q)
        want_facets = bool(query.facets)
        empty = SearchResult(
            ids=[], total=0, facets={name: [] for name in FACETS} if want_facets else {}
        )
        if (query.q or "").strip() and not terms:
            return empty  # only punctuation/operators: nothing to look for
        limit = max(0, min(int(query.limit), MAX_LIMIT))
        offset = max(0, int(query.offset))

        base: list[Clause] = []
        if query.bbox:
            base.append(common.bbox_clause(*query.bbox))
        if query.near:
            base.append(common.near_clause(*query.near))
        if query.open_now:
            from heco.programme.hours import open_asset_ids

            open_ids = open_asset_ids()
            if not open_ids:
                return empty
            base.append(self.asset_list_clause("d.asset_id", open_ids))
        facet_filters = common.facet_clauses(query)
        groups = filter_keys.query_groups(query)
        prefix = query.prefix
        source = self.source(terms, prefix, list(groups.values()))

        with connection.cursor() as cursor:
            if not terms and not base and not facet_filters:
                return self._browse_all(cursor, want_facets, limit, offset)
            columns = FACET_ROW_COLUMNS if want_facets else "d.docid, d.weight"
            filters = base + list(facet_filters.values())
            word_only = False
            if prefix and terms and len(terms[-1]) >= PREFIX_PROBE_CHARS:
                # A long prefix has no prefix index: FTS5 / GIN merge the whole doclists of
                # every word it starts before returning anything, however selective the
                # filters. If the typed word is itself common (more than EXACT_LIMIT
                # documents, a lazy read of its doclist), it is matched as a whole word: the
                # words it starts are left out and the counts are marked approximate.
                if self._many_matches(cursor, terms, False):
                    word_only, prefix = True, False
                    source = self.source(terms, prefix, list(groups.values()))
            rows = self._select(cursor, source, filters, columns, EXACT_LIMIT + 1)
            exceeded = len(rows) > EXACT_LIMIT
            # do the words alone match more than EXACT_LIMIT documents? (then bm25, which
            # reads their whole doclists, is replaced by a cheaper score; see text_scores)
            common_words = exceeded or word_only
            if terms and filters and not common_words:
                common_words = self._many_matches(cursor, terms, prefix)
            rows = rows[:EXACT_LIMIT]
            scale = self._scale(cursor, rows) if exceeded else 1.0
            if not exceeded:
                total, total_exact = len(rows), not word_only
            else:
                total, total_exact = round(len(rows) * scale), False

            facets, facets_exact = {}, not exceeded and not word_only
            if want_facets:
                columns = list(zip(*rows, strict=True)) if rows else []
                for name in FACETS:
                    if name not in facet_filters:
                        picked = [columns[i] for i in FACET_ROW_INDEX[name]] if rows else []
                        counter = common.facet_counter_columns(name, picked)
                        facets[name] = common.facet_values(name, counter, scale)
                        continue
                    others = base + [c for f, c in facet_filters.items() if f != name]
                    cols = ", ".join(f"d.{c}" for c in common.FACET_COLUMNS[name])
                    f_source = self.source(
                        terms, prefix, [g for f, g in groups.items() if f != name]
                    )
                    f_rows = self._select(
                        cursor, f_source, others, f"d.docid, {cols}", EXACT_LIMIT + 1
                    )
                    f_scale = 1.0
                    if len(f_rows) > EXACT_LIMIT:
                        f_rows = f_rows[:EXACT_LIMIT]
                        f_scale = self._scale(cursor, f_rows)
                        facets_exact = False
                    facets[name] = common.count_facet(name, [r[1:] for r in f_rows], f_scale)

            where = base + list(facet_filters.values())
            if terms:
                titled = (
                    self._select(
                        cursor,
                        self.title_source(terms, prefix, list(groups.values())),
                        where,
                        "d.docid, d.weight",
                        TITLE_CANDIDATES,
                    )
                    if exceeded or len(rows) > RANK_CANDIDATES
                    else []
                )
                exact = self._exact_titles(cursor, query.q, terms, where)
                ranked = self._ranked_page(
                    cursor, where, terms, prefix, rows, titled + exact, exact, common_words
                )
                docids = ranked[offset : offset + limit]
                if exceeded and len(docids) < limit:
                    # the matches after the sample, in docid order, less the title
                    # candidates already ranked
                    last = rows[-1][0]
                    later = [Clause(f"{source.order} > %s", [last])]
                    extras = sorted({r[0] for r in titled + exact if r[0] > last})
                    if extras:
                        inside = self.int_list_clause("+d.docid", extras)
                        later.append(Clause(f"NOT ({inside.sql})", inside.params))
                    more = self._select(
                        cursor,
                        source,
                        where + later,
                        "d.docid",
                        limit - len(docids),
                        max(0, offset - len(ranked)),
                    )
                    docids += [r[0] for r in more]
                ids = self._asset_ids(cursor, docids)
            elif not limit:
                ids = []
            elif exceeded:  # many matches: walk the browse index, testing the filters
                ids = self._browse_page(cursor, where, limit, offset, self.browse_from)
            else:  # every match is in rows: order just those
                ids = self._browse_page(
                    cursor, [self.int_list_clause("d.docid", [r[0] for r in rows])], limit, offset
                )
        return SearchResult(
            ids=ids,
            total=total,
            total_exact=total_exact,
            facets=facets,
            facets_exact=facets_exact,
        )

    def _browse_all(self, cursor, want_facets, limit, offset) -> SearchResult:
        """No text, no filter: exact total and facets from search_facet_count, page by index."""
        from heco.search import facetcache

        with transaction.atomic():
            total, facets = facetcache.browse(cursor, lock=lambda: self.lock(cursor))
        ids = self._browse_page(cursor, [], limit, offset) if limit else []
        return SearchResult(ids=ids, total=total, facets=facets if want_facets else {})

    def _select(self, cursor, source: Source, clauses, columns: str, limit: int, offset=0):
        where = source.where + list(clauses)
        params = [p for c in where for p in c.params]
        sql = f"SELECT {columns} FROM {source.from_sql}"  # noqa: S608 - fixed fragments only
        if where:
            sql += " WHERE " + " AND ".join(f"({c.sql})" for c in where)
        sql += f" ORDER BY {source.order} LIMIT {int(limit)}"
        if offset:
            sql += f" OFFSET {int(offset)}"
        cursor.execute(sql, params)
        return cursor.fetchall()

    def _many_matches(self, cursor, terms, prefix) -> bool:
        """Do the words alone (no filter) match more than EXACT_LIMIT documents? A lazy read
        of at most EXACT_LIMIT + 1 doclist entries."""
        rows = self._select(cursor, self.source(terms, prefix), [], "d.docid", EXACT_LIMIT + 1)
        return len(rows) > EXACT_LIMIT

    def _scale(self, cursor, rows) -> float:
        cursor.execute("SELECT MAX(docid) FROM search_document")
        max_docid = cursor.fetchone()[0] or 0
        last = rows[-1][0] if rows else 0
        return max(1.0, max_docid / last) if last else 1.0

    def _exact_titles(self, cursor, q, terms, where) -> list[tuple]:
        """Documents whose (display) title is exactly the query, case and accents folded:
        an index lookup on sort_title, whatever the weight of the document."""
        from heco.search.documents import fold

        keys = list(dict.fromkeys([fold(q.strip())[:255], " ".join(terms)[:255]]))
        clauses = [Clause(f"d.sort_title IN ({', '.join(['%s'] * len(keys))})", keys), *where]
        params = [p for c in clauses for p in c.params]
        sql = "SELECT d.docid, d.weight FROM search_document d WHERE " + " AND ".join(  # noqa: S608 - fixed fragments only
            f"({c.sql})" for c in clauses
        )
        cursor.execute(sql + f" ORDER BY d.docid LIMIT {int(TITLE_CANDIDATES)}", params)
        return cursor.fetchall()

    def _ranked_page(
        self, cursor, where, terms, prefix, rows, titled, exact, common_words
    ) -> list[int]:
        """Score the first RANK_CANDIDATES matches and the first TITLE_CANDIDATES matches with
        every word in a title (light documents whose title matches would otherwise never be
        scored when a word is common); exact title matches come first; the other matches
        follow in docid (weight) order."""
        weights = {r[0]: r[1] or 0.0 for r in rows[:RANK_CANDIDATES]}
        weights.update((r[0], r[1] or 0.0) for r in titled)
        candidates = sorted(weights)
        scores = self.text_scores(terms, prefix, candidates, common_words) if candidates else {}
        first = {r[0] for r in exact}
        ranked = sorted(
            candidates,
            key=lambda d: (
                d not in first,
                -scores.get(d, 0.0) * (1 + WEIGHT_BOOST * weights[d]),
                d,
            ),
        )
        return ranked + [r[0] for r in rows[RANK_CANDIDATES:] if r[0] not in weights]

    def _browse_page(
        self, cursor, where, limit, offset, from_sql="search_document d"
    ) -> list[uuid.UUID]:
        params = [p for c in where for p in c.params]
        sql = f"SELECT d.asset_id FROM {from_sql}"  # noqa: S608 - fixed fragments only
        if where:
            sql += " WHERE " + " AND ".join(f"({c.sql})" for c in where)
        sql += f" ORDER BY d.weight DESC, d.sort_title, d.docid LIMIT {int(limit)}"
        if offset:
            sql += f" OFFSET {int(offset)}"
        cursor.execute(sql, params)
        return [_uuid(r[0]) for r in cursor.fetchall()]

    def _asset_ids(self, cursor, docids: list[int]) -> list[uuid.UUID]:
        if not docids:
            return []
        clause = self.int_list_clause("docid", docids)
        cursor.execute(
            f"SELECT docid, asset_id FROM search_document WHERE {clause.sql}",  # noqa: S608
            clause.params,
        )
        found = {docid: _uuid(asset_id) for docid, asset_id in cursor.fetchall()}
        return [found[d] for d in docids if d in found]

    # ---- indexing --------------------------------------------------------------------
    def index_assets(self, asset_ids, documents=()) -> None:
        """(Re)index ``asset_ids``, and the assets of ``documents``: (IndexDocument,
        updated_at) pairs built elsewhere (``new_asset_document``), used as they are when
        their asset still has that ``updated_at`` and is published, else built again."""
        documents = list(documents)
        given = self._still_current(documents)
        ids = [_uuid(a) for a in asset_ids if a] + [doc.asset_id for doc, _ in documents]
        ids = list(dict.fromkeys(ids))  # the stale documents' assets are built again
        # batches of INDEX_BATCH, committed INDEX_COMMIT at a time: every commit makes FTS5
        # flush a new segment (and merge), which cost more than the writes at 100,000 assets
        for first in range(0, len(ids), INDEX_COMMIT):
            with transaction.atomic():
                chunk = ids[first : first + INDEX_COMMIT]
                for start in range(0, len(chunk), INDEX_BATCH):
                    self._index_batch(chunk[start : start + INDEX_BATCH], given)

    def _still_current(self, documents) -> dict:
        """asset id -> document, for the (document, updated_at) pairs whose asset is still
        published and unchanged since the document was built. Counted per ``updated_at``
        (a harvest page's assets share one): only a group that comes short is listed."""
        from heco.core.models import Status
        from heco.heritage.models import Asset

        groups: dict = {}
        for doc, updated_at in documents:
            groups.setdefault(updated_at, {})[doc.asset_id] = doc
        table = connection.ops.quote_name(Asset._meta.db_table)
        stored = connection.ops.adapt_datetimefield_value  # compared as the database holds it
        current = {}
        with connection.cursor() as cursor:
            for updated_at, docs in groups.items():
                ids = list(docs)
                for start in range(0, len(ids), INDEX_COMMIT):
                    chunk = ids[start : start + INDEX_COMMIT]
                    clause = self.asset_list_clause("id", chunk)
                    where = f"FROM {table} WHERE status = %s AND updated_at = %s AND {clause.sql}"  # noqa: S608
                    params = [Status.PUBLISHED, stored(updated_at), *clause.params]
                    cursor.execute(f"SELECT COUNT(*) {where}", params)  # noqa: S608
                    if cursor.fetchone()[0] == len(chunk):
                        current.update((pk, docs[pk]) for pk in chunk)
                        continue
                    cursor.execute(f"SELECT id {where}", params)  # noqa: S608
                    current.update((pk, docs[pk]) for pk in map(_uuid, (r[0] for r in cursor)))
        return current

    def _index_batch(self, ids: list[uuid.UUID], given: dict | None = None) -> None:
        from heco.search import facetcache
        from heco.search.documents import build_documents

        given = given or {}
        # outside the write transaction: reads only
        docs = [given[i] for i in ids if i in given]
        docs += build_documents([i for i in ids if i not in given])
        with transaction.atomic(), connection.cursor() as cursor:
            self.lock(cursor)
            # the ids as one parameter: an ORM "__in" of 500 UUIDs costs more than the query
            clause = self.asset_list_clause("asset_id", ids)
            cursor.execute(
                f"SELECT asset_id, docid FROM search_document WHERE {clause.sql}",  # noqa: S608
                clause.params,
            )
            existing = {_uuid(asset_id): docid for asset_id, docid in cursor.fetchall()}
            removed = []
            if existing:
                removed = facetcache.rows_for(
                    cursor, self.int_list_clause("d.docid", list(existing.values()))
                )
                self._delete_docs(cursor, list(existing.values()))
            if not docs:
                facetcache.apply(cursor, removed, [])
                return
            cursor.execute("SELECT MAX(docid) FROM search_document")
            max_docid = cursor.fetchone()[0]
            if max_docid is None:
                # empty index: also clear full-text entries orphaned by a table flush (tests)
                self.fts_delete(cursor, None)
                facetcache.invalidate(cursor)
            # docids of the rows just deleted and kept for re-use may exceed what is left
            next_docid = max([max_docid or 0, *existing.values()]) + 1
            pairs = []
            for doc in docs:
                docid = existing.get(doc.asset_id)
                if docid is None:
                    docid, next_docid = next_docid, next_docid + 1
                pairs.append((docid, doc))
            self._insert_docs(pairs)
            self.fts_insert(cursor, [docid for docid, _doc in pairs])
            added = [
                (d.country, d.community, d.organisation, d.kind, d.themes_field[:255],
                 d.accessibility_field[:255], d.start_year, d.end_year)
                for d in docs
            ]  # fmt: skip
            facetcache.apply(cursor, removed, added)

    def _delete_docs(self, cursor, docids: list[int]) -> None:
        from heco.search.models import SearchDocument, SearchText

        self.fts_delete(cursor, docids)
        SearchText.objects.filter(docid__in=docids).delete()
        SearchDocument.objects.filter(docid__in=docids).delete()

    def _insert_docs(self, pairs) -> None:
        """Write (docid, IndexDocument) pairs into the document and text tables: plain
        executemany, as in heco.search.bulk (model instances and bulk_create cost more than
        the writes themselves)."""
        from heco.search.bulk import DOCUMENT_COLUMNS, document_row

        native_uuid = connection.features.has_native_uuid_field
        documents, texts = [], []
        for docid, doc in pairs:
            asset_id = doc.asset_id if native_uuid else doc.asset_id.hex
            documents.append(document_row(docid, doc, asset_id))
            texts.append((docid, doc.title, doc.meta, doc.body, doc.keys))
        placeholders = ", ".join(["%s"] * len(documents[0])) if documents else ""
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO search_document ({DOCUMENT_COLUMNS}, facet_bits) "  # noqa: S608
                f"VALUES ({placeholders})",
                documents,
            )
            cursor.executemany(
                "INSERT INTO search_text (docid, title, meta, body, keys) "
                "VALUES (%s, %s, %s, %s, %s)",
                texts,
            )

    def rebuild(self, progress: Callable[[int, int], None] | None = None) -> int:
        """Re-create the whole index from the published assets, heaviest documents first.

        Runs in one transaction: readers keep seeing the old index until it commits.
        """
        from heco.core.models import Status
        from heco.heritage.models import Asset
        from heco.search import facetcache
        from heco.search.documents import build_documents
        from heco.search.models import SearchDocument, SearchText

        ids = list(
            Asset.objects.filter(status=Status.PUBLISHED)
            .order_by("id")
            .values_list("id", flat=True)
        )
        done = 0
        with transaction.atomic(), connection.cursor() as cursor:
            self.lock(cursor)
            self.fts_delete(cursor, None)
            SearchText.objects.all().delete()
            SearchDocument.objects.all().delete()
            next_docid = REBUILD_OFFSET
            for start in range(0, len(ids), INDEX_BATCH):
                docs = build_documents(ids[start : start + INDEX_BATCH])
                pairs = [(next_docid + i, doc) for i, doc in enumerate(docs)]
                next_docid += len(docs)
                self._insert_docs(pairs)
                done += len(docs)
                if progress:
                    progress(done, len(ids))
            # renumber 1..n by descending weight (temporary docids are all >= REBUILD_OFFSET,
            # so old and new numbers never collide)
            numbering = (
                "(SELECT docid AS r_old, ROW_NUMBER() OVER "
                "(ORDER BY weight DESC, sort_title, asset_id) AS r_new FROM search_document) r"
            )
            for table, alias in (("search_text", "t"), ("search_document", "d")):
                cursor.execute(
                    f"UPDATE {table} AS {alias} SET docid = r.r_new FROM {numbering} "  # noqa: S608
                    f"WHERE r.r_old = {alias}.docid"
                )
            self.fts_insert(cursor, None)
            facetcache.recount(cursor)
        return done


def _uuid(value) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
