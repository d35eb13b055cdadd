"""``heco publish``: render the public pages in-process and write the static site.

1. Seeds come from discovery.py (sitemap, parameterless pages, calendar months, hooks).
2. Each page is rendered through Django's test Client (the full middleware stack, exactly what
   a visitor gets), its links rewritten to relative ones (rewrite.py), and every local link it
   contains is queued in turn: pagination, per-language feeds, routes … are found by crawling.
   A Renderer does this in this process, or in each of ``workers`` forked processes.
3. Incremental by dependency (deps.py): while a page renders, the tables it read, the assets
   it showed and its links are recorded in the manifest (``.heco-publish.json`` in the output
   directory). The next run renders again only the pages whose inputs changed and reuses the
   others (their recorded links keep the crawl going); ``full=True`` renders every page.
4. Files are written only when their bytes changed (the manifest keeps a content hash, or the
   source size and mtime for copied static and media files). Files of the previous run that
   were not produced this time (a withdrawn or tombstoned asset's pages) are removed.
5. pagefind indexes the HTML (only when some page changed) into ``pagefind/``.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import shutil
import subprocess
import sys
import time
import uuid
from collections import deque
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.db import connection, connections
from django.test import Client, override_settings
from django.urls import Resolver404, resolve
from django.utils.html import escape
from django.utils.translation import get_language_info, override

from heco.publish import deps, discovery, urlmap
from heco.publish.progress import Progress
from heco.publish.rewrite import LinkPolicy, PageInfo, rewrite_page

MANIFEST = ".heco-publish.json"
MANIFEST_VERSION = 2
PAGEFIND_DIR = "pagefind"
STATIC_SKIP_PREFIXES = ("admin/",)  # the Django admin's files are no part of the public site


@dataclass
class PublishResult:
    pages_written: int = 0
    pages_unchanged: int = 0  # rendered or reused, same bytes as before: not written
    pages_rendered: int = 0  # rendered through Django (the rest were reused)
    pages_reused: int = 0
    full: bool = True  # every page was rendered (first run, or the global stamp changed)
    files_copied: int = 0
    files_unchanged: int = 0
    removed: int = 0
    written: list[str] = field(default_factory=list)
    rendered: list[str] = field(default_factory=list)  # URLs rendered through Django
    removed_paths: list[str] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)  # URL -> status (404, 410 …)
    search_indexed: bool = False
    seconds: float = 0.0

    @property
    def pages(self) -> int:
        return self.pages_written + self.pages_unchanged


def _digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


@dataclass
class PageEntry:
    """What the manifest keeps of a page: its file, whether it is a collection page (its URL
    names no record), the tables it read, the tracked records it showed, and its links (the
    (path, query) keys the crawl found on it)."""

    file: str
    collection: bool
    tables: list[str]
    records: list[str]
    links: list[str]


class Publisher:
    def __init__(
        self,
        out: Path | str,
        *,
        base_url: str | None = None,
        pagefind: bool = True,
        progress: Progress | None = None,
        full: bool = False,
        workers: int = 1,
    ):
        self.out = Path(out).resolve()
        self.workers = max(1, workers)
        self.base_url = (base_url or settings.SITE_URL).rstrip("/")
        parts = urlsplit(self.base_url)
        self.host = parts.netloc or "testserver"
        self.secure = parts.scheme == "https"
        self.run_pagefind = pagefind
        self.force_full = full
        self.progress = progress or Progress(enabled=False)
        self.old: dict[str, str] = {}
        self.new: dict[str, str] = {}
        self.old_pages: dict[str, PageEntry] = {}
        self.pages: dict[str, PageEntry] = {}
        self.old_manifest: dict = {}
        self.result = PublishResult()
        # what changed since the last run (set in run()); None: render every page
        self.changed_tables: set[str] | None = None
        self.changed_records: set[str] = set()

    # --- manifest ----------------------------------------------------------------------------

    def _load_manifest(self) -> None:
        try:
            data = json.loads((self.out / MANIFEST).read_text())
        except (OSError, ValueError):
            return
        if data.get("version") != MANIFEST_VERSION:
            return
        self.old = data.get("files", {})
        self.old_manifest = data
        tables, records, urls = data["tables"], data["records"], data["urls"]
        for key, (file, collection, t, r, links) in data["pages"].items():
            self.old_pages[key] = PageEntry(
                file,
                bool(collection),
                [tables[i] for i in t],
                [records[i] for i in r],
                [urls[i] for i in links],
            )

    def _save_manifest(self, stamp: str, state: dict) -> None:
        """Tables, records and URLs are stored once and named by their index in the pages
        (a page has dozens of links: the manifest stays a few bytes per link)."""
        index: dict[str, dict[str, int]] = {"tables": {}, "records": {}, "urls": {}}

        def ids(kind: str, values: list[str]) -> list[int]:
            names = index[kind]
            return [names.setdefault(v, len(names)) for v in values]

        pages = {
            key: [
                e.file,
                int(e.collection),
                ids("tables", e.tables),
                ids("records", e.records),
                ids("urls", e.links),
            ]
            for key, e in sorted(self.pages.items())
        }
        data = {
            "version": MANIFEST_VERSION,
            "stamp": stamp,
            "state": state,
            "files": dict(sorted(self.new.items())),
            "tables": list(index["tables"]),
            "records": list(index["records"]),
            "urls": list(index["urls"]),
            "pages": pages,
        }
        self._atomic_write(self.out / MANIFEST, json.dumps(data, separators=(",", ":")).encode())

    # --- writing -----------------------------------------------------------------------------

    @staticmethod
    def _atomic_write(dest: Path, data: bytes) -> None:
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.with_name(dest.name + ".tmp")
        tmp.write_bytes(data)
        os.replace(tmp, dest)

    def write(self, rel: str, data: bytes) -> bool:
        """Write ``data`` at ``rel`` unless the same bytes are there already."""
        if rel in self.new:
            return False
        digest = _digest(data)
        self.new[rel] = digest
        dest = self.out / rel
        if self.old.get(rel) == digest and dest.exists():
            self.result.pages_unchanged += 1
            return False
        self._atomic_write(dest, data)
        self.result.pages_written += 1
        self.result.written.append(rel)
        return True

    def copy(self, rel: str, source: Path) -> None:
        if rel in self.new:
            return
        try:
            stat = source.stat()
        except OSError:
            self.result.skipped["/" + rel] = 404
            return
        stamp = f"copy:{stat.st_size}:{stat.st_mtime_ns}"
        self.new[rel] = stamp
        dest = self.out / rel
        if self.old.get(rel) == stamp and dest.exists():
            self.result.files_unchanged += 1
            return
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, dest)
        self.result.files_copied += 1

    def _remove_stale(self) -> None:
        for rel in sorted(set(self.old) - set(self.new)):
            path = self.out / rel
            path.unlink(missing_ok=True)
            self.result.removed += 1
            self.result.removed_paths.append(rel)
            parent = path.parent
            while parent != self.out and parent.is_dir() and not any(parent.iterdir()):
                parent.rmdir()
                parent = parent.parent

    # --- what changed --------------------------------------------------------------------------

    def _plan(self, stamp: str) -> dict:
        """The catalogue state now, and what changed since the last run (None: everything)."""
        old_state = self.old_manifest.get("state")
        tables = set(old_state["tables"]) if old_state else set()
        state = deps.catalogue_state(tables | set(deps.tracked_tables()))
        if self.force_full or not old_state or self.old_manifest.get("stamp") != stamp:
            self.changed_tables = None
        else:
            self.changed_tables, self.changed_records = deps.changes(old_state, state)
        self.result.full = self.changed_tables is None
        return state

    def _reusable(self, key: str) -> PageEntry | None:
        """The previous run's entry for page ``key`` when nothing it depends on changed."""
        if self.changed_tables is None:
            return None
        entry = self.old_pages.get(key)
        if entry is None or entry.file not in self.old or not (self.out / entry.file).exists():
            return None
        if entry.collection and (self.changed_tables or self.changed_records):
            return None
        if not self.changed_tables.isdisjoint(entry.tables):
            return None
        if not self.changed_records.isdisjoint(entry.records):
            return None
        return entry

    # --- the crawl ---------------------------------------------------------------------------

    def run(self) -> PublishResult:
        started = time.perf_counter()
        self.out.mkdir(parents=True, exist_ok=True)
        self._load_manifest()
        allowed = [*settings.ALLOWED_HOSTS, self.host.split(":")[0]]
        stamp = deps.global_stamp(self.base_url, MANIFEST_VERSION)
        state = self._plan(stamp)
        # the page cache would only fill memory: every page is rendered once; the run has its
        # own empty cache, so that what a page takes from it is known (deps.RecordingCache)
        with (
            override_settings(
                ALLOWED_HOSTS=allowed,
                HECO_PAGE_CACHE_SECONDS=0,
                CACHES=deps.recording_caches(uuid.uuid4().hex),
            ),
            override(settings.LANGUAGE_CODE),
        ):
            self._crawl()
            self._copy_static_tree()
            self._write_root()
        self._remove_stale()
        read = {t for e in self.pages.values() for t in e.tables} - set(state["tables"])
        if read:  # tables no page read before (a first run): their state after the crawl
            new_state = deps.catalogue_state(read)
            state["tables"].update(new_state["tables"])
            state["rows"].update(new_state["rows"])
        self._save_manifest(stamp, state)
        html_changed = any(
            p.endswith(".html") for p in (*self.result.written, *self.result.removed_paths)
        )
        if self.run_pagefind and (
            html_changed or not (self.out / PAGEFIND_DIR / "pagefind.js").exists()
        ):
            self.result.search_indexed = run_pagefind(self.out)
        self.progress.close()
        self.result.seconds = time.perf_counter() - started
        return self.result

    def _crawl(self) -> None:
        search_paths, asset_filters = self._page_facts()
        seeds = discovery.seed_urls(self.host, "https" if self.secure else "http")
        months = {
            (urlsplit(u).path, urlsplit(u).query) for u in seeds if "month=" in urlsplit(u).query
        }
        renderer = Renderer(
            host=self.host,
            secure=self.secure,
            base_url=self.base_url,
            months=months,
            search_paths=search_paths,
            asset_filters=asset_filters,
        )
        queue: deque[tuple[str, str]] = deque()
        seen: set[tuple[str, str]] = set()
        copies: dict[str, None] = {}

        def found(path: str, query: str) -> None:
            key = (path, query)
            if key in seen:
                return
            seen.add(key)
            if path.startswith(("/static/", "/media/")):
                copies.setdefault(path, None)
            elif path != "/" and not path.startswith("/pagefind/"):
                queue.append(key)
                self.progress.total += 1

        for url in seeds:
            parts = urlsplit(url)
            suffix = urlmap.query_suffix(parts.query)
            found(parts.path, parts.query if suffix else "")

        def pages_to_render():
            """The queued pages that cannot be reused, in crawl order (a reused page's
            recorded links join the queue at once)."""
            while queue:
                path, query = queue.popleft()
                key = _url_key(path, query)
                entry = self._reusable(key)
                if entry is None:
                    yield path, query
                else:
                    self._reuse(key, entry, found)
                    self.progress.advance(written=self.result.pages_written)

        if self.workers == 1:
            with renderer.recorder.installed():
                for path, query in pages_to_render():
                    self._record(path, query, renderer.render(path, query), found)
        else:
            self._crawl_in_workers(renderer, pages_to_render, found)
        for path in copies:
            self._copy_url(path)

    def _crawl_in_workers(self, renderer, pages_to_render, found) -> None:
        """Render in ``self.workers`` processes forked from this one (each opens its own
        database connection, records its own pages' dependencies and has its own cache);
        this process keeps the queue, writes the files and the manifest. A page's links are
        queued when its result comes back, so the crawl reaches the same pages in another
        order; the files are the same (each page is rendered on its own)."""
        if connection.in_atomic_block:
            raise RuntimeError("publishing with workers needs committed data (no transaction)")
        if connection.vendor == "sqlite" and connection.is_in_memory_db():
            raise RuntimeError("publishing with workers needs a database file or server")
        connections.close_all()  # a forked process must not share this one's connection
        global _worker_renderer
        _worker_renderer = renderer
        running: dict = {}
        context = multiprocessing.get_context("fork")
        try:
            with ProcessPoolExecutor(
                self.workers, mp_context=context, initializer=_start_worker
            ) as pool:
                while True:
                    # keep every worker busy, a few pages ahead (a fresh generator each time:
                    # the results just recorded may have queued new links)
                    for path, query in pages_to_render():
                        running[pool.submit(_render_in_worker, path, query)] = (path, query)
                        if len(running) >= 2 * self.workers:
                            break
                    if not running:
                        break  # the queue is empty and every result is in
                    done, _ = wait(running, return_when=FIRST_COMPLETED)
                    for future in done:
                        path, query = running.pop(future)
                        self._record(path, query, future.result(), found)
        finally:
            _worker_renderer = None

    def _record(self, path: str, query: str, page: RenderedPage | None, found) -> None:
        """Write a rendered page, keep its manifest entry and queue its links."""
        if page is not None:
            self.result.pages_rendered += 1
            self.result.rendered.append(page.url)
            if page.status != 200:
                self.result.skipped[page.url] = page.status
            else:
                self.write(page.rel, page.content)
                self.pages[_url_key(path, query)] = PageEntry(
                    page.rel,
                    page.collection,
                    page.tables,
                    page.records,
                    [_url_key(p, q) for p, q in page.links],
                )
                for link_path, link_query in page.links:
                    found(link_path, link_query)
        self.progress.advance(written=self.result.pages_written)

    def _reuse(self, key: str, entry: PageEntry, found) -> None:
        """Keep the previous run's file of this page, and follow its recorded links."""
        self.new[entry.file] = self.old[entry.file]
        self.pages[key] = entry
        self.result.pages_unchanged += 1
        self.result.pages_reused += 1
        for link in entry.links:
            path, _, query = link.partition("?")
            found(path, query)

    def _page_facts(self) -> tuple[set[str], dict[str, dict[str, str]]]:
        """The search page of each language, and pagefind filters of each published asset
        (kind, country) keyed by its page's path."""
        from django.urls import reverse

        from heco.heritage.models import Asset
        from heco.site.views.common import country_name

        search_paths = set()
        filters: dict[str, dict[str, str]] = {}
        rows = list(
            Asset.objects.published()
            .values_list("slug", "kind", "community__country")
            .order_by("slug")
        )
        kinds = dict(Asset.Kind.choices)
        for code in settings.LANGUAGE_CODES:
            with override(code):
                search_paths.add(reverse("site:search"))
                # one reverse per language (one per asset was seconds at 10,000 assets)
                head, tail = reverse("site:asset", kwargs={"slug": "0slug0"}).split("0slug0")
                countries: dict[str, str] = {}
                for slug, kind, country in rows:
                    if country and country not in countries:
                        countries[country] = country_name(country, code)
                    filters[f"{head}{slug}{tail}"] = {
                        "kind": str(kinds.get(kind, kind)),
                        "country": countries.get(country, ""),
                    }
        return search_paths, filters

    def _copy_url(self, path: str) -> None:
        rel = urlmap.output_path(path)
        if rel is None:
            return
        if path.startswith("/media/"):
            source = Path(settings.MEDIA_ROOT) / rel.removeprefix("media/")
        else:
            name = rel.removeprefix("static/")
            found = finders.find(name)
            source = Path(found) if found else Path(settings.STATIC_ROOT) / name
        self.copy(rel, source)

    def _copy_static_tree(self) -> None:
        """Every static file the finders know (CSS may refer to images no page names)."""
        for finder in finders.get_finders():
            for name, storage in finder.list(["CVS", ".*", "*~"]):
                name = name.replace(os.sep, "/")
                if name.startswith(STATIC_SKIP_PREFIXES):
                    continue
                prefix = getattr(storage, "prefix", None)
                rel = f"static/{prefix}/{name}" if prefix else f"static/{name}"
                self.copy(rel, Path(storage.path(name)))

    def _write_root(self) -> None:
        """``/`` picks a language from the browser on the live site; a static index cannot, so
        it links to every language and moves on to the default one."""
        default = settings.LANGUAGE_CODE
        items = "".join(
            f'<li><a href="{code}/index.html" lang="{code}" hreflang="{code}">'
            f"{escape(get_language_info(code)['name_local'])}</a></li>"
            for code in settings.LANGUAGE_CODES
        )
        html = (
            f'<!doctype html>\n<html lang="{default}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<meta http-equiv="refresh" content="0; url={default}/index.html">'
            f'<link rel="canonical" href="{escape(self.base_url)}/{default}/">'
            f"<title>HE.CO Hub</title></head><body><main><h1>HE.CO Hub</h1>"
            f"<ul>{items}</ul></main></body></html>\n"
        )
        self.write("index.html", html.encode())


@dataclass
class RenderedPage:
    """A page as rendered (in this process or a worker), with what its render read."""

    url: str
    rel: str  # output path
    status: int
    content: bytes  # links rewritten (HTML)
    collection: bool
    tables: list[str]
    records: list[str]
    links: list[tuple[str, str]]  # (path, query) of its local links, in order


class Renderer:
    """Renders pages through Django's test Client, records what each read (deps.Recorder)
    and rewrites its links; one per process."""

    def __init__(self, *, host, secure, base_url, months, search_paths, asset_filters):
        self.client = Client(
            HTTP_HOST=host,
            HTTP_ACCEPT="text/html,*/*;q=0.5",
            raise_request_exception=False,  # a failing page is reported, the rest published
        )
        self.secure = secure
        self.search_paths = search_paths
        self.asset_filters = asset_filters
        self.recorder = deps.Recorder()
        self.recorder.prepare()
        self.links: dict[tuple[str, str], None] = {}  # of the page being rendered, in order
        self.policy = LinkPolicy(
            base_url=base_url, months=months, search_paths=search_paths, found=self._found
        )

    def _found(self, path: str, query: str) -> None:
        self.links[(path, query)] = None
        self.recorder.link(path)

    def render(self, path: str, query: str) -> RenderedPage | None:
        """Render one page; None when it has no place in the static site."""
        rel = urlmap.output_path(path, query)
        if rel is None:
            return None
        url = f"{path}?{query}" if query else path
        self.links = {}
        self.recorder.start()
        try:
            response = self.client.get(url, secure=self.secure)
            content = response.content
            if response.status_code == 200 and response.get("Content-Type", "").startswith(
                "text/html"
            ):
                lang = path.split("/")[1] if path.count("/") > 1 else settings.LANGUAGE_CODE
                filters = self.asset_filters.get(path)
                info = PageInfo(
                    source=rel,
                    url=url,
                    lang=lang,
                    is_search=path in self.search_paths and not query,
                    pagefind_body=filters is not None and not query,
                    pagefind_filters=filters or {},
                )
                content = rewrite_page(content, info, self.policy)
        finally:
            self.recorder.stop()
        return RenderedPage(
            url=url,
            rel=rel,
            status=response.status_code,
            content=content,
            collection=self.recorder.uncertain or _is_collection(path),
            tables=sorted(self.recorder.tables),
            records=sorted(self.recorder.records),
            links=list(self.links),
        )


# in a worker process (forked by Publisher._crawl_in_workers): the parent's renderer
_worker_renderer: Renderer | None = None
_worker_hooks = None


def _start_worker() -> None:
    global _worker_hooks
    # for the life of the process (kept: a dropped context manager would uninstall itself)
    _worker_hooks = _worker_renderer.recorder.installed()
    _worker_hooks.__enter__()


def _render_in_worker(path: str, query: str) -> RenderedPage | None:
    return _worker_renderer.render(path, query)


def _url_key(path: str, query: str) -> str:
    return f"{path}?{query}" if query else path


def _is_collection(path: str) -> bool:
    """A page whose URL names no record (home, lists, search, calendars, feeds, sitemap): it
    may show any record, so it is rendered again whenever anything changed."""
    try:
        return not resolve(path).kwargs
    except Resolver404:
        return True


def pagefind_available() -> bool:
    try:
        import pagefind_bin  # noqa: F401
    except ImportError:
        return shutil.which("pagefind") is not None
    return True


def run_pagefind(out: Path) -> bool:
    """Index ``out`` with pagefind into ``out/pagefind/`` (rebuilt from scratch: the index is a
    few hashed fragment files and takes seconds even for a large site)."""
    if not pagefind_available():
        return False
    target = out / PAGEFIND_DIR
    if target.exists():
        shutil.rmtree(target)
    command = [sys.executable, "-m", "pagefind", "--site", str(out), "--keep-index-url", "--silent"]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return (target / "pagefind.js").exists()
