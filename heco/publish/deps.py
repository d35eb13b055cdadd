"""Incremental publishing by dependency: what each page read, and what changed since.

While a page renders, a ``Recorder`` notes

- the database **tables** its queries read (table names in the SQL, through
  ``connection.execute_wrapper``; works the same on SQLite and PostgreSQL);
- the **tracked records** it shows: every ``Asset`` instance built for it (``post_init``) and
  every asset page it links to (a card, a map marker, a "nearby" link);
- what it took from the **cache** (the site's fragment caching): an entry carries the tables
  and records read while it was made, and a page that uses it inherits them. An entry made
  outside this run (unknown provenance) makes the page a collection page (below).

The builder keeps this per page in the manifest, with the page's links (so a page that is
reused still leads the crawl to every page it links to), and the **catalogue state**: one
digest per table that any page read, and for the tracked model one pair of digests per row —
``place`` (every column but the language maps and ``updated_at``: what decides *where* a
record appears: status, slug, organisation, community, position, kind …) and ``content`` (the
whole row).

The next run compares:

1. the **global stamp** (code, templates, static files and translations of the project, a few
   settings, the export's base URL, today's date): if it differs, every page is rendered;
2. the catalogue state: a table whose digest differs is *changed* — except the tracked model's
   table when only the ``content`` of some rows changed (a title or description edit): then
   only those **records** are changed.

A page is rendered again when it is new or its file is gone, when it read a changed table, when
it shows a changed record, or when it is a *collection page* (its URL names no record: home,
lists, search, calendars, feeds, sitemap) and anything changed at all. Every other page is
reused as it is. Deleted or withdrawn assets change their table (status is a ``place``
column), so every page that read the asset table is rendered again and the asset's own pages
answer 404/410 and are removed.

Assumption (written down because the code cannot check it): a record page that shows an asset's
*text* either builds that asset as a model instance or links to its page. The site's pages do:
cards, "nearby" lists and map markers all link to the asset.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import sys
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.cache.backends.locmem import LocMemCache
from django.db import connection
from django.db.models.signals import post_init
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from heco.core.langmap import LanguageMapField

# model label -> URL name of its page: records tracked one by one (the rest by table)
TRACKED = {"heritage.Asset": "site:asset"}
# columns that change without changing what a record shows or where
TIMESTAMP_COLUMNS = frozenset({"updated_at"})
# settings that change pages without a change of code or data
STAMP_SETTINGS = (
    "LANGUAGE_CODE",
    "LANGUAGE_CODES",
    "TIME_ZONE",
    "SITE_URL",
    "STATIC_URL",
    "MEDIA_URL",
    "HECO_DEFAULT_NETWORK",
    "HECO_MAP_TILES",
)
CODE_SUFFIXES = (".py", ".html", ".txt", ".xml", ".po", ".mo", ".css", ".js", ".svg", ".json")
_QUOTED = re.compile(r'"([^"]+)"')


def _digest(*parts) -> str:
    return hashlib.blake2b(repr(parts).encode(), digest_size=12).hexdigest()


# --- the global stamp --------------------------------------------------------------------------


@functools.cache
def code_fingerprint() -> str:
    """Name, size and mtime of every source, template, static and translation file of the
    project (a stat per file: milliseconds), plus the Python and Django versions. Taken once
    per process: that is the code the process renders with (modules are imported once, and
    templates are cached by the template loader)."""
    import django

    root = Path(apps.get_app_config("publish").path).parent  # the heco package
    h = hashlib.blake2b(digest_size=12)
    h.update(f"{sys.version}|{django.get_version()}".encode())
    dirs = [root, *(Path(d) for d in settings.LOCALE_PATHS)]
    dirs.extend(Path(d[1] if isinstance(d, tuple | list) else d) for d in settings.STATICFILES_DIRS)
    for template in settings.TEMPLATES:
        dirs.extend(Path(d) for d in template.get("DIRS", []))
    for base in dirs:
        for folder, subdirs, files in os.walk(base):
            subdirs[:] = sorted(d for d in subdirs if not d.startswith((".", "__pycache__")))
            for name in sorted(files):
                if name.endswith(CODE_SUFFIXES):
                    stat = os.stat(os.path.join(folder, name))
                    h.update(f"{folder}/{name}|{stat.st_size}|{stat.st_mtime_ns}\n".encode())
    return h.hexdigest()


def global_stamp(base_url: str, version: int) -> str:
    values = [getattr(settings, name, None) for name in STAMP_SETTINGS]
    return _digest(version, base_url, values, str(timezone.localdate()), code_fingerprint())


# --- the catalogue state -----------------------------------------------------------------------


def table_models() -> dict[str, type]:
    """db_table -> model, for every model (and many-to-many table) of the project."""
    return {m._meta.db_table: m for m in apps.get_models(include_auto_created=True)}


def tracked_tables() -> dict[str, type]:
    return {apps.get_model(label)._meta.db_table: apps.get_model(label) for label in TRACKED}


def _rows(columns: str, table: str):
    """Every row of ``table`` (names from the models' metadata, quoted: no outside input)."""
    sql = f"SELECT {columns} FROM {connection.ops.quote_name(table)}"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql)
        while batch := cursor.fetchmany(2000):
            yield from batch


def row_states(model) -> dict[str, list[str]]:
    """pk -> [place digest, content digest] of every row of a tracked model."""
    quote = connection.ops.quote_name
    fields = model._meta.concrete_fields
    place = [f.column for f in fields if not isinstance(f, LanguageMapField)]
    place = [c for c in place if c not in TIMESTAMP_COLUMNS and c != model._meta.pk.column]
    rest = [f.column for f in fields if f.column not in place and f.column != model._meta.pk.column]
    columns = ", ".join(quote(c) for c in [model._meta.pk.column, *place, *rest])
    states = {}
    cut = 1 + len(place)
    pk = model._meta.pk.to_python  # the raw value (a UUID's hex on SQLite) as a page sees it
    for row in _rows(columns, model._meta.db_table):
        states[str(pk(row[0]))] = [_digest(row[1:cut]), _digest(row[1:])]
    return states


def table_digest(table: str, rows: dict[str, list[str]] | None = None) -> str:
    """A digest of a table's rows (for a tracked table: of the rows' place digests only, so a
    text edit leaves it alone)."""
    if rows is not None:
        return _digest(sorted((pk, place) for pk, (place, _content) in rows.items()))
    h = hashlib.blake2b(digest_size=12)
    for text in sorted(repr(row) for row in _rows("*", table)):
        h.update(text.encode())
    return h.hexdigest()


def catalogue_state(tables) -> dict:
    tracked = tracked_tables()
    state = {"tables": {}, "rows": {}}
    for table in sorted(tables):
        rows = row_states(tracked[table]) if table in tracked else None
        if rows is not None:
            state["rows"][table] = rows
        state["tables"][table] = table_digest(table, rows)
    return state


def changes(old: dict, new: dict) -> tuple[set[str], set[str]]:
    """(changed tables, changed tracked records) between two catalogue states."""
    tables = {t for t, d in new["tables"].items() if old["tables"].get(t) != d}
    records = set()
    for table, rows in new["rows"].items():
        if table in tables:
            continue  # membership changed: every page that read the table is rendered
        before = old["rows"].get(table, {})
        records.update(
            pk for pk, (_place, content) in rows.items() if before.get(pk, [0, 0])[1] != content
        )
    return tables, records


# --- recording one page ------------------------------------------------------------------------


class Recorder:
    """Collects what the page being rendered reads (see the module docstring)."""

    def __init__(self):
        self.tables_known = set(table_models())
        self.tracked = [apps.get_model(label) for label in TRACKED]
        self._sql_tables: dict[str, frozenset[str]] = {}
        self._cache_deps: dict[str, tuple[frozenset, frozenset]] = {}
        self._slug_pk: dict[str, str] = {}
        self._page_prefixes: list[tuple[str, str]] = []
        self.active = False
        self.tables: set[str] = set()
        self.records: set[str] = set()
        self.uncertain = False
        self._open: dict[str, tuple[set, set]] = {}  # cache keys missed and not yet set

    def prepare(self) -> None:
        """Slug -> pk of the tracked records and their page URLs in every language."""
        for label, url_name in TRACKED.items():
            model = apps.get_model(label)
            for slug, pk in model.objects.values_list("slug", "pk"):
                self._slug_pk[slug] = str(pk)
            for code in settings.LANGUAGE_CODES:
                with override(code):
                    head, tail = reverse(url_name, kwargs={"slug": "0slug0"}).split("0slug0")
                self._page_prefixes.append((head, tail))

    # hooks, installed for the whole crawl by ``installed()``
    def execute(self, execute, sql, params, many, context):
        if self.active:
            tables = self._sql_tables.get(sql)
            if tables is None:
                tables = frozenset(_QUOTED.findall(sql)) & self.tables_known
                if len(self._sql_tables) > 20000:
                    self._sql_tables.clear()
                self._sql_tables[sql] = tables
            self._add(tables, ())
        return execute(sql, params, many, context)

    def _instance(self, sender, instance, **kwargs) -> None:
        if self.active and instance.pk is not None:
            self._add((), (str(instance.pk),))

    def _add(self, tables, records) -> None:
        self.tables.update(tables)
        self.records.update(records)
        for open_tables, open_records in self._open.values():
            open_tables.update(tables)
            open_records.update(records)

    def link(self, path: str) -> None:
        """A link of the page: an asset page's link makes the page show that asset."""
        if not self.active:
            return
        for head, tail in self._page_prefixes:
            if path.startswith(head) and path.endswith(tail):
                pk = self._slug_pk.get(path[len(head) : len(path) - len(tail)])
                if pk is not None:
                    self._add((), (pk,))
                return

    # the cache (RecordingCache reports here)
    def cache_miss(self, key: str) -> None:
        if self.active:
            self._open[key] = (set(), set())

    def cache_set(self, key: str) -> None:
        if not self.active:
            self._cache_deps.pop(key, None)  # made outside a page: unknown provenance
            return
        deps = self._open.pop(key, None) or (self.tables, self.records)
        self._cache_deps[key] = (frozenset(deps[0]), frozenset(deps[1]))

    def cache_hit(self, key: str) -> None:
        if not self.active:
            return
        deps = self._cache_deps.get(key)
        if deps is None:
            self.uncertain = True
        else:
            self._add(*deps)

    # one page
    def start(self) -> None:
        self.tables, self.records, self.uncertain = set(), set(), False
        self._open.clear()
        self.active = True

    def stop(self) -> None:
        self.active = False
        self._open.clear()

    def installed(self):
        return _Installed(self)


class _Installed:
    def __init__(self, recorder: Recorder):
        self.recorder = recorder
        self.wrapper = None

    def __enter__(self):
        for model in self.recorder.tracked:
            post_init.connect(self.recorder._instance, sender=model, weak=False)
        self.wrapper = connection.execute_wrapper(self.recorder.execute)
        self.wrapper.__enter__()
        RecordingCache.recorder = self.recorder
        return self.recorder

    def __exit__(self, *exc):
        RecordingCache.recorder = None
        self.wrapper.__exit__(*exc)
        for model in self.recorder.tracked:
            post_init.disconnect(self.recorder._instance, sender=model)


_MISSING = object()


class RecordingCache(LocMemCache):
    """The publisher's own cache for the run (empty at the start, so every entry is made by a
    page of this run), reporting gets and sets to the recorder."""

    recorder: Recorder | None = None

    def get(self, key, default=None, version=None):
        value = super().get(key, _MISSING, version)
        recorder = RecordingCache.recorder
        full = self.make_key(key, version)
        if value is _MISSING:
            if recorder is not None:
                recorder.cache_miss(full)
            return default
        if recorder is not None:
            recorder.cache_hit(full)
        return value

    def set(self, key, value, timeout=None, version=None):
        super().set(key, value, timeout, version)
        if RecordingCache.recorder is not None:
            RecordingCache.recorder.cache_set(self.make_key(key, version))

    def add(self, key, value, timeout=None, version=None):
        added = super().add(key, value, timeout, version)
        if added and RecordingCache.recorder is not None:
            RecordingCache.recorder.cache_set(self.make_key(key, version))
        return added

    def has_key(self, key, version=None):
        found = super().has_key(key, version)
        if found and RecordingCache.recorder is not None:
            RecordingCache.recorder.cache_hit(self.make_key(key, version))
        return found


def recording_caches(run_id: str) -> dict:
    """CACHES for the run: every alias the project configures becomes a fresh RecordingCache
    (``run_id`` unique per run: locmem caches with the same location share their entries)."""
    return {
        alias: {
            "BACKEND": "heco.publish.deps.RecordingCache",
            "LOCATION": f"heco-publish-{run_id}-{alias}",
            "OPTIONS": {"MAX_ENTRIES": 50000},
        }
        for alias in settings.CACHES
    }
