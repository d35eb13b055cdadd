"""Where a site URL lands in the static export, and how one file links to another.

Every page becomes ``<path>/index.html``; links are rewritten to *relative* links that name
``index.html`` explicitly, because a browser opening files from disk (``file://``) does not
serve directory index files.

Query strings: only a few single-parameter URLs have a static twin, as a path segment:

- ``/en/events/?page=3``            -> ``en/events/page-3/index.html`` (``page=1`` is the page)
- ``/en/events/calendar/?month=2026-05`` -> ``en/events/calendar/month-2026-05/index.html``
- ``/feeds/events.ics?lang=lt``     -> ``feeds/events.lang-lt.ics``

Every other query URL (search facets, ``view=map``, service filters) has no static twin: a link
to it points at the same path without its query when that path is exported (a facet link goes to
the static search page), and otherwise at the live site (``--base-url``).
"""

from __future__ import annotations

import functools
import posixpath
import re
from urllib.parse import parse_qsl, quote, unquote, urlsplit

from django.conf import settings

SUFFIX_KEYS = frozenset({"page", "month", "lang"})
_SAFE_VALUE = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
# URLs outside the language prefixes that belong to the static site
ROOT_FILES = frozenset({"/sitemap.xml", "/robots.txt"})
ROOT_PREFIXES = ("/feeds/", "/sitemaps/", "/static/", "/media/", "/pagefind/")
# inside a language prefix: left to the live site (PDFs are made on demand by WeasyPrint)
EXCLUDED_SUFFIXES = (".pdf",)


def language_prefixes() -> tuple[str, ...]:
    return tuple(f"/{code}/" for code in settings.LANGUAGE_CODES)


def is_exportable_path(path: str) -> bool:
    """True when ``path`` (no query) belongs to the static site."""
    if path == "/" or path in ROOT_FILES:
        return True
    if path.startswith(ROOT_PREFIXES):
        return True
    if path.startswith(language_prefixes()):
        return not path.endswith(EXCLUDED_SUFFIXES)
    return False


def query_suffix(query: str) -> str | None:
    """'' for no query, 'page-2' / 'month-2026-05' / 'lang-lt' for the static twins, or None
    when the query has no static twin."""
    if not query:
        return ""
    pairs = parse_qsl(query, keep_blank_values=True)
    if len(pairs) != 1:
        return None
    key, value = pairs[0]
    if key not in SUFFIX_KEYS or not _SAFE_VALUE.match(value):
        return None
    if key == "page":
        if not value.isdigit() or int(value) < 1:
            return None
        return "" if int(value) == 1 else f"page-{int(value)}"
    return f"{key}-{value}"


def output_path(path: str, query: str = "") -> str | None:
    """The file (relative to the output directory, POSIX separators) for ``path?query``, or
    None when it has no place in the static site."""
    path = unquote(path)
    if not path.startswith("/") or ".." in path.split("/"):
        return None
    if not is_exportable_path(path):
        return None
    suffix = query_suffix(query)
    if suffix is None:
        return None
    if path.endswith("/"):
        rel = path[1:]
        if suffix:
            rel += suffix + "/"
        return rel + "index.html"
    rel = path[1:]
    if suffix:
        stem, ext = posixpath.splitext(rel)
        rel = f"{stem}.{suffix}{ext}"
    return rel


def normalise(url: str) -> tuple[str, str]:
    """(path, canonical query) of a root-relative URL, the key a page is crawled under."""
    parts = urlsplit(url)
    suffix = query_suffix(parts.query)
    query = parts.query if suffix else ""
    return parts.path, query


def relative(target: str, source: str) -> str:
    """A relative URL from the file ``source`` to the file ``target`` (both normalised output
    paths, as ``output_path`` makes them). Same result as ``posixpath.relpath`` from the
    source's folder, without its normalisation work (it was a third of the link rewriting)."""
    folder = source.split("/")[:-1]
    parts = target.split("/")
    common = 0
    limit = min(len(folder), len(parts) - 1)
    while common < limit and folder[common] == parts[common]:
        common += 1
    return _quote("../" * (len(folder) - common) + "/".join(parts[common:]))


@functools.lru_cache(maxsize=65536)
def _quote(rel: str) -> str:
    return quote(rel, safe="/-._~")
