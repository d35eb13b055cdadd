"""Whole-page cache for anonymous visitors, invalidated by a global catalogue version.

Every public page is built from the catalogue (assets, media, organisations, communities,
networks, services, events). Instead of tracking which page shows which record, every write
changes one *catalogue version*; cached pages are stored under keys that contain it, so a
change makes every older page unreachable at once (they expire by their time-to-live).

Where the version lives:

* with a cache shared by all web processes (Redis through ``HECO_CACHE_URL``) it is a key in
  that cache, so a write on any machine invalidates the pages of every machine;
* with the default per-process cache (locmem) it is a small file in ``HECO_DATA_DIR``, so a
  write in one process (a web worker, ``heco worker``, a management command) reaches every
  process on the machine. Several machines without Redis share no version: their pages go
  stale for at most ``HECO_PAGE_CACHE_SECONDS``.

A write bumps the version at once *and* again when its transaction commits: a page rendered
inside the window between the two (from the data before the commit) is stored under the
intermediate version, which the second bump retires.

What is stored and served (``heco.core.middleware.AnonymousPageCacheMiddleware``):
GET requests under a language prefix (``/en/…``) with no session, no messages cookie and no
Authorization header, answered by a view marked with ``@public_page``, status 200, no cookie
set, the CSRF token not used, ``Cache-Control`` not private, and a ``Vary`` limited to what the
key covers (Cookie — handled by the anonymity rule —, Accept, HX-Request).
"""

from __future__ import annotations

import hashlib
import os
import secrets
from pathlib import Path

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache
from django.db import transaction
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

VERSION_KEY = "heco:catalogue-version"
VERSION_FILE = "catalogue-version"
PAGE_KEY_PREFIX = "heco:page"


def read_only(view):
    """A view that only reads: GET and HEAD; any other method gets 405 Method Not Allowed
    with ``Allow: GET, HEAD``. Exempt from the CSRF check, which would otherwise refuse a
    POST without a token as a forgery (403) before the view could say it takes no POST at
    all: the view changes nothing, so there is nothing to forge."""
    return csrf_exempt(require_safe(view))


def public_page(view):
    """A public page: read-only (``read_only``), and its anonymous GET responses may be
    served from the page cache."""
    view = read_only(view)
    view.heco_public_page = True
    return view


def _shared_cache() -> bool:
    """Is the default cache shared between processes (Redis, Memcached, database…)?"""
    return not isinstance(caches["default"], LocMemCache | DummyCache)


def _version_path() -> Path:
    return Path(settings.DATA_DIR) / VERSION_FILE


def _new_token() -> str:
    return secrets.token_hex(8)


def _write_version() -> str:
    token = _new_token()
    if _shared_cache():
        cache.set(VERSION_KEY, token, None)
        return token
    path = _version_path()
    tmp = path.with_name(f".{VERSION_FILE}.{os.getpid()}.{token}")
    tmp.write_text(token)
    os.replace(tmp, path)  # atomic: readers see the old token or the new one
    return token


def catalogue_version() -> str:
    """The current catalogue version: an opaque token that changes on every write."""
    if _shared_cache():
        token = cache.get(VERSION_KEY)
        if token is None:  # first use, or evicted: start a new version
            cache.add(VERSION_KEY, _new_token(), None)
            token = cache.get(VERSION_KEY)
        return token
    try:
        with open(_version_path()) as handle:
            token = handle.read()
    except FileNotFoundError:
        token = ""
    return token or _write_version()


def _bump_after_commit() -> None:
    _write_version()


def bump_catalogue_version(using: str | None = None) -> None:
    """Retire every cached page: call after any write that public pages may show.

    Cheap (one small file write, or one cache set); inside a transaction it bumps again once
    on commit (one callback per transaction however many writes it holds)."""
    _write_version()
    connection = transaction.get_connection(using)
    if connection.in_atomic_block and not any(
        func is _bump_after_commit for _sids, func, _robust in connection.run_on_commit
    ):
        connection.on_commit(_bump_after_commit)


def page_cache_key(request, version: str) -> str:
    """The key of a page: catalogue version, scheme, host, path with query string, and the
    request headers the public views vary on (Accept for content negotiation, htmx headers
    for the partial search results). The language is the first segment of the path."""
    meta = request.META
    parts = "\n".join(
        (
            request.scheme,
            request.get_host(),
            request.get_full_path(),
            meta.get("HTTP_ACCEPT", ""),
            meta.get("HTTP_HX_REQUEST", ""),
            meta.get("HTTP_HX_HISTORY_RESTORE_REQUEST", ""),
        )
    )
    digest = hashlib.sha256(parts.encode("utf-8", "surrogateescape")).hexdigest()[:40]
    return f"{PAGE_KEY_PREFIX}:{version}:{digest}"
