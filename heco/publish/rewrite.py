"""Rewriting a rendered page for the static site: relative links (href, src, srcset, action,
the map's data attributes and the ``url`` keys of JSON data blocks), forms that need the server
removed, the search page turned into a pagefind page, and pagefind's indexing attributes."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

import lxml.html
from django.utils.translation import gettext, override
from lxml import etree

from heco.publish import urlmap
from heco.site.templatetags.heco_site import dumps_for_script

URL_ATTRIBUTES = ("href", "src", "action", "poster", "formaction", "data-leaflet-js")
URL_ATTRIBUTES += ("data-leaflet-css",)
JSON_URL_KEYS = frozenset({"url", "href", "src"})
DOCTYPE = "<!doctype html>"
# the elements rewrite_page changes, in document order (an XPath in C instead of a Python loop
# over every element): URL attributes, srcset, hx-* attributes, JSON data blocks
_REWRITE_TARGETS = etree.XPath(
    "//*["
    + " or ".join(f"@{name}" for name in (*URL_ATTRIBUTES, "srcset"))
    + " or @*[starts-with(name(), 'hx-')] or self::script[@type='application/json']]"
)


@dataclass
class PageInfo:
    """What the rewriter needs to know about the page it works on."""

    source: str  # output path of this page, e.g. "en/assets/x/index.html"
    url: str  # the page's own URL on the site, e.g. "/en/events/?page=2"
    lang: str
    is_search: bool = False
    pagefind_filters: dict[str, str] = field(default_factory=dict)
    pagefind_body: bool = False


@dataclass
class LinkPolicy:
    """Decides where a root-relative URL points in the static site.

    ``months``: the (path, query) calendar pages that are exported; ``search_paths``: the
    static search pages (a link there keeps its ``q``); ``base_url``: the live site, for links
    to what the static site does not have; ``found``: called with every local (path, query)
    the static site should contain, so the builder can crawl it.
    """

    base_url: str
    months: set[tuple[str, str]]
    search_paths: set[str]
    found: Callable[[str, str], None]

    def __post_init__(self):
        # url (with the page's URL for relative ones) -> what rewrite() needs: the same links
        # (navigation, static files, cards) come back on every page
        self._resolved: dict = {}

    def target(self, url: str) -> tuple[str | None, str, tuple[str, str] | None]:
        """(output path or None for the live site, extra '?q=…' for the search page, the
        (path, query) the static site should contain or None)."""
        parts = urlsplit(url)
        path, query = parts.path, parts.query
        if not urlmap.is_exportable_path(path):
            return None, "", None
        suffix = urlmap.query_suffix(query)
        extra = ""
        if suffix is None or (suffix.startswith("month-") and (path, query) not in self.months):
            if path in self.search_paths:
                q = dict(parse_qsl(query)).get("q", "").strip()
                extra = "?" + urlencode({"q": q}) if q else ""
            query = ""
        elif not suffix:
            query = ""
        rel = urlmap.output_path(path, query)
        return rel, extra, (path, query) if rel is not None else None

    def _resolve(self, url: str, base: str) -> tuple:
        """(kept URL or None, output path, extra, fragment, found key) for ``url``."""
        url = url.strip()
        if not url or url.startswith(("#", "//")) or urlsplit(url).scheme:
            return url, None, "", "", None  # absolute, fragment-only, mailto:, data: … stay
        if not url.startswith("/"):
            url = urljoin(base, url)  # "?page=2", "../x/": relative to the page's own URL
        rel, extra, key = self.target(url)
        if rel is None:
            return self.base_url + url, None, "", "", None
        return None, rel, extra, urlsplit(url).fragment, key

    def rewrite(self, url: str, source: str, base: str = "/") -> str:
        cache_key = url if url.startswith("/") else (url, base)
        resolved = self._resolved.get(cache_key)
        if resolved is None:
            if len(self._resolved) > 200_000:
                self._resolved.clear()
            resolved = self._resolved[cache_key] = self._resolve(url, base)
        kept, rel, extra, fragment, key = resolved
        if kept is not None:
            return kept
        if key is not None:
            self.found(*key)
        out = urlmap.relative(rel, source) + extra
        return f"{out}#{fragment}" if fragment else out


def _rewrite_srcset(value: str, policy: LinkPolicy, source: str, base: str) -> str:
    parts = []
    for candidate in value.split(","):
        bits = candidate.strip().split(None, 1)
        if not bits:
            continue
        bits[0] = policy.rewrite(bits[0], source, base)
        parts.append(" ".join(bits))
    return ", ".join(parts)


def _rewrite_json(data, policy: LinkPolicy, source: str, base: str):
    if isinstance(data, dict):
        return {
            k: (
                policy.rewrite(v, source, base)
                if k in JSON_URL_KEYS and isinstance(v, str) and v.startswith("/")
                else _rewrite_json(v, policy, source, base)
            )
            for k, v in data.items()
        }
    if isinstance(data, list):
        return [_rewrite_json(v, policy, source, base) for v in data]
    return data


def _static_search(doc, info: PageInfo, policy: LinkPolicy) -> None:
    """Replace the server search form with pagefind's UI (files from the output's /pagefind/,
    initialised by an external script: the pages keep a CSP without inline code)."""
    form = doc.get_element_by_id("search-form", None)
    if form is None:
        return
    root = policy.rewrite("/", info.source).removesuffix("index.html") or "./"
    with override(info.lang):
        hint = gettext("Search the heritage of this site in your browser.")
        noscript = gettext(
            "Search needs JavaScript. Every heritage page is also listed in the sitemap."
        )
    box = lxml.html.fragment_fromstring(
        '<div class="static-search"><p class="hint"></p>'
        '<div id="static-search" data-pagefind-root="" data-pagefind-bundle=""></div>'
        "<noscript><p></p></noscript></div>"
    )
    box[0].text = hint
    target = box[1]
    target.set("data-pagefind-root", root)
    target.set("data-pagefind-bundle", root + "pagefind/")
    box[2][0].text = noscript
    form.getparent().replace(form, box)
    head = doc.head
    css = lxml.html.Element("link", rel="stylesheet", href="/pagefind/pagefind-ui.css")
    ui = lxml.html.Element("script", src="/pagefind/pagefind-ui.js", defer="")
    init = lxml.html.Element("script", src="/static/publish/search.js", defer="")
    for element in (css, ui, init):
        head.append(element)


def _pagefind_attributes(doc, info: PageInfo) -> None:
    body = doc.find_class("record")
    target = body[0] if body else doc.get_element_by_id("main", None)
    if target is None:
        return
    target.set("data-pagefind-body", "")
    for name, value in info.pagefind_filters.items():
        if value:
            marker = lxml.html.Element("span", hidden="")
            marker.set("data-pagefind-filter", f"{name}:{value}")
            target.append(marker)


def rewrite_page(content: bytes, info: PageInfo, policy: LinkPolicy) -> bytes:
    doc = lxml.html.document_fromstring(content)
    if info.is_search:
        _static_search(doc, info, policy)
    if info.pagefind_body:
        _pagefind_attributes(doc, info)
    source, base = info.source, info.url
    for form in list(doc.iter("form")):
        action = form.get("action", "")
        if action.startswith("/") and urlsplit(action).path in policy.search_paths:
            continue  # a search box: the static search page reads its ?q=
        form.drop_tree()  # filters and public forms need the server
    for element in _REWRITE_TARGETS(doc):
        for name in list(element.attrib):
            if name.startswith("hx-"):
                del element.attrib[name]  # htmx would fetch server fragments
        for name in URL_ATTRIBUTES:
            value = element.get(name)
            if value is not None:
                element.set(name, policy.rewrite(value, source, base))
        srcset = element.get("srcset")
        if srcset:
            element.set("srcset", _rewrite_srcset(srcset, policy, source, base))
        if element.tag == "script" and element.get("type") == "application/json" and element.text:
            try:
                data = json.loads(element.text)
            except ValueError:
                continue
            # written back exactly as the site writes its data blocks
            element.text = dumps_for_script(_rewrite_json(data, policy, source, base))
    html = lxml.html.tostring(doc, encoding="unicode", doctype=DOCTYPE)
    return html.encode("utf-8")
