"""What the static site contains, before crawling: every URL the sitemap lists, every public
page without parameters (found by walking the URLconf, so new list pages and feeds such as
``/feeds/news.rss`` are picked up without touching this app), the next twelve calendar months,
and what apps add through a ``publish_urls`` module.

Pages reached from these by links (pagination ``?page=N``, per-language feed links, routes,
GPX files …) are found while crawling; see builder.py.

Hook for other apps: a module ``<app>/publish_urls.py`` with ``def urls() -> Iterable[str]``
returning root-relative URLs (for example one feed per organisation) adds them to the export.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Iterator
from types import SimpleNamespace
from urllib.parse import urlsplit

from django.apps import apps
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.exceptions import NoReverseMatch
from django.urls.resolvers import LocalePrefixPattern, RoutePattern
from django.utils import timezone
from django.utils.translation import override

from heco.publish import urlmap

CALENDAR_URL_NAMES = ("site:calendar", "systems:calendar")
CALENDAR_MONTHS = 12
LANG_PLACEHOLDER = "{lang}/"


def _routes(patterns, prefix: str = "") -> Iterator[str]:
    """Route strings of every URL pattern without parameters; ``{lang}/`` marks the language
    prefix of i18n_patterns."""
    for entry in patterns:
        pattern = entry.pattern
        if isinstance(pattern, LocalePrefixPattern):
            part = LANG_PLACEHOLDER
        elif isinstance(pattern, RoutePattern):
            part = str(pattern)
            if "<" in part:
                continue
        else:
            continue  # regex patterns (admin internals) are never part of the public site
        if isinstance(entry, URLResolver):
            yield from _routes(entry.url_patterns, prefix + part)
        elif isinstance(entry, URLPattern):
            yield prefix + part


def parameterless_urls() -> list[str]:
    urls = []
    for route in _routes(get_resolver().url_patterns):
        if LANG_PLACEHOLDER in route:
            candidates = [
                "/" + route.replace(LANG_PLACEHOLDER, f"{code}/")
                for code in settings.LANGUAGE_CODES
            ]
        else:
            candidates = ["/" + route]
        urls.extend(u for u in candidates if u != "/" and urlmap.is_exportable_path(u))
    return urls


def sitemap_urls(host: str, protocol: str) -> list[str]:
    from heco.site.sitemaps import SITEMAPS, sitemap_files

    site = SimpleNamespace(domain=host, name=host)
    urls = []
    sitemaps: dict = {}  # one per section: its paginator counts once
    for section, number in sitemap_files():
        # the sitemap file itself (the index at /sitemap.xml names it), then its pages
        urls.append(reverse("sitemap-section", kwargs={"section": section, "page": number}))
        if section not in sitemaps:
            sitemaps[section] = SITEMAPS[section]()
        sitemap = sitemaps[section]
        urls.extend(
            urlsplit(entry["location"]).path
            for entry in sitemap.get_urls(page=number, site=site, protocol=protocol)
        )
    return urls


def calendar_months(today: dt.date | None = None) -> list[str]:
    """``/en/events/calendar/?month=2026-05`` … for this month and the next eleven."""
    today = today or timezone.localdate()
    months = []
    year, month = today.year, today.month
    for _ in range(CALENDAR_MONTHS):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    urls = []
    for name in CALENDAR_URL_NAMES:
        for code in settings.LANGUAGE_CODES:
            with override(code):
                try:
                    path = reverse(name)
                except NoReverseMatch:
                    break
            urls.extend(f"{path}?month={value}" for value in months)
    return urls


def hook_urls() -> list[str]:
    urls = []
    for config in apps.get_app_configs():
        try:
            module = importlib.import_module(f"{config.name}.publish_urls")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.publish_urls":
                raise
            continue
        urls.extend(module.urls())
    return urls


def seed_urls(host: str, protocol: str) -> list[str]:
    seen: dict[str, None] = {}
    for url in (
        *parameterless_urls(),
        *sitemap_urls(host, protocol),
        *calendar_months(),
        *hook_urls(),
    ):
        seen.setdefault(url, None)
    return list(seen)
