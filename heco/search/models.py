"""The search index tables.

``search_document`` holds one narrow row per published asset: the facet/filter columns, the
static weight and a sort title. Its integer primary key ``docid`` is also the row id of the
full-text index (the SQLite FTS5 table ``search_fts`` or the PostgreSQL ``tsv`` column), and
``rebuild()`` assigns docids in descending static-weight order, so that "the first K matches
in docid order" are the K most important matches (see ``heco.search.backends.common``).

``search_text`` holds the indexed text (three weighted fields); it is the external content
table of FTS5 on SQLite and the source of the ``tsv`` column on PostgreSQL. It is kept apart
from ``search_document`` so that scans over filter columns stay narrow.

Backend-specific objects (the FTS5 virtual table; the unaccent extension, the ``tsv`` column
and its GIN index) are created by migration 0001 for the matching database vendor only.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SearchDocument(models.Model):
    docid = models.IntegerField(primary_key=True)  # SQLite: INTEGER PRIMARY KEY = rowid alias
    asset_id = models.UUIDField(_("asset"), unique=True)  # index_assets(): find a doc by asset
    country = models.CharField(max_length=2, blank=True)
    community = models.CharField(max_length=120, blank=True)
    organisation = models.CharField(max_length=120, blank=True)
    kind = models.CharField(max_length=24, blank=True)
    # multi-valued facets as "|a|b|" so that one LIKE '%|a|%' tests membership
    themes = models.CharField(max_length=255, blank=True)
    accessibility = models.CharField(max_length=255, blank=True)
    start_year = models.IntegerField(null=True)
    end_year = models.IntegerField(null=True)
    lat = models.FloatField(null=True)
    lon = models.FloatField(null=True)
    # themes (bits 0-7) and accessibility (bits 8-23) as one integer: a filter is one
    # "facet_bits & mask <> 0" test per row instead of LIKE on a string (see common.facet_bits)
    facet_bits = models.IntegerField(default=0)
    weight = models.FloatField(default=0.0)
    sort_title = models.CharField(max_length=255, blank=True)

    class Meta:
        db_table = "search_document"
        verbose_name = _("search document")
        verbose_name_plural = _("search documents")
        indexes = [
            # browse (empty q): ORDER BY weight DESC, sort_title
            models.Index(fields=["-weight", "sort_title"], name="search_doc_browse"),
            # exact title matches rank first: WHERE sort_title IN (folded query)
            models.Index(fields=["sort_title"], name="search_doc_title"),
            # facet filters without text: WHERE country IN (...) etc.
            models.Index(fields=["country"], name="search_doc_country"),
            models.Index(fields=["community"], name="search_doc_community"),
            models.Index(fields=["organisation"], name="search_doc_org"),
            models.Index(fields=["kind"], name="search_doc_kind"),
            # period filter: start_year <= to AND end_year >= from
            models.Index(fields=["start_year", "end_year"], name="search_doc_period"),
            # bbox / near pre-filter
            models.Index(fields=["lat", "lon"], name="search_doc_latlon"),
        ]

    def __str__(self):
        return f"{self.docid}:{self.asset_id}"


class SearchText(models.Model):
    docid = models.IntegerField(primary_key=True)
    title = models.TextField(blank=True)  # titles in every language (highest weight)
    meta = models.TextField(blank=True)  # organisation/community names, tags, designation, ids
    body = models.TextField(blank=True)  # summaries and descriptions in every language
    # filter keys (facet values, grid cells) as words, never matched by user text; see keys.py
    keys = models.TextField(blank=True)

    class Meta:
        db_table = "search_text"
        verbose_name = _("search text")
        verbose_name_plural = _("search texts")

    def __str__(self):
        return str(self.docid)


class SearchFacetCount(models.Model):
    """Exact facet counts of the whole index, for the unfiltered browse (no text, no filter).

    One row per (facet, value); the row ("", "") holds the number of documents. Kept exact by
    every index write (``heco.search.facetcache``): deltas on ``index_assets()``, a full count
    on ``rebuild()`` / ``bulk_load()``. Without the ("", "") row the table is not trusted and
    is recounted on the next browse.
    """

    facet = models.CharField(max_length=24)
    value = models.CharField(max_length=120)
    count = models.IntegerField(default=0)

    class Meta:
        db_table = "search_facet_count"
        verbose_name = _("search facet count")
        verbose_name_plural = _("search facet counts")
        constraints = [
            models.UniqueConstraint(fields=["facet", "value"], name="search_facet_count_unique")
        ]

    def __str__(self):
        return f"{self.facet}={self.value}: {self.count}"
