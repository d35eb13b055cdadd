"""Public news pages (/<lang>/news/), the "how to embed" help page (/<lang>/embed/) and the
embeddable widgets (/embed/<lang>/…) for partners' own websites.

Widgets are minimal HTML pages for an ``<iframe>``: they allow framing by any site (no
``X-Frame-Options``, CSP ``frame-ancestors *``) and nothing else — no cookies (no session, no
CSRF token: they are rendered without the request's context processors), no third-party
scripts (Leaflet comes from our static files), links open on our site in a new tab.
"""

from __future__ import annotations

import functools
from urllib.parse import urlsplit

from django.conf import settings
from django.core.validators import slug_re
from django.db.models import Prefetch, Q
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import override
from django.views.decorators.clickjacking import xframe_options_exempt

from heco.core.cache import public_page, read_only
from heco.core.langmap import pick
from heco.feeds.selectors import published_items
from heco.heritage.models import Asset
from heco.network.models import Community, Organisation
from heco.programme.models import Event
from heco.site import selectors as site_selectors
from heco.site.views.common import lang, page_number, paginate

NEWS_PER_PAGE = 20
EMBED_DEFAULT_LIMIT = 5
EMBED_MAX_LIMIT = 20


# --- news pages ------------------------------------------------------------------------------


@public_page
def news_list(request):
    number = page_number(request)
    if number is None:
        raise Http404(_("There is no such page of this list."))
    page = paginate(published_items(), number, NEWS_PER_PAGE)
    return render(request, "feeds/news_list.html", {"page": page, "items": page.object_list})


@public_page
def news_detail(request, slug):
    item = (
        published_items()
        .prefetch_related(
            Prefetch("assets", queryset=Asset.objects.published().order_by("slug")),
            Prefetch("events", queryset=Event.objects.published().order_by("start")),
        )
        .filter(slug=slug)
        .first()
    )
    if item is None:
        raise Http404(_("No such news item."))
    return render(request, "feeds/news_detail.html", {"item": item})


# --- embeds ----------------------------------------------------------------------------------


def tile_origin() -> str:
    """Scheme and host of the map tiles, for the CSP (``{s}`` subdomains become ``*``)."""
    parts = urlsplit(settings.HECO_MAP_TILES)
    if not parts.scheme or not parts.netloc:
        return ""
    host = parts.netloc.replace("{s}", "*")
    return f"{parts.scheme}://{host}"


def embed_csp() -> str:
    return (
        "default-src 'none'; "
        f"img-src 'self' data: {tile_origin()}; "
        "style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'none'; "
        "frame-ancestors *; base-uri 'none'; form-action 'none'"
    )


def embed_view(view):
    """A widget view: ``lang`` from the path, framing allowed, its own CSP, no cookies."""

    @functools.wraps(view)
    def wrapped(request, lang, *args, **kwargs):
        if lang not in settings.LANGUAGE_CODES:
            raise Http404
        with override(lang):
            context = view(request, lang, *args, **kwargs)
            context.update(
                lang=lang,
                default_language=site_selectors.network_default_language(),
                SITE_URL=settings.SITE_URL,
            )
            html = render_to_string(context.pop("template"), context)
        response = HttpResponse(html)
        response["Content-Security-Policy"] = embed_csp()
        response["Content-Language"] = lang
        response["Cache-Control"] = "public, max-age=300"
        response["Referrer-Policy"] = "no-referrer"
        return response

    return read_only(xframe_options_exempt(wrapped))


def _limit(request) -> int:
    raw = request.GET.get("limit", "")
    if raw.isascii() and raw.isdigit():
        return max(1, min(int(raw), EMBED_MAX_LIMIT))
    return EMBED_DEFAULT_LIMIT


def _slug_param(request, name: str) -> str:
    """``?community=`` or ``?organisation=``; 404 for a value that no slug can have."""
    value = request.GET.get(name, "").strip()
    if value and not slug_re.match(value):
        raise Http404
    return value


def _absolute(name: str, slug: str) -> str:
    return settings.SITE_URL + reverse(name, kwargs={"slug": slug})


@embed_view
def embed_events(request, lang):
    queryset = site_selectors.published_events()
    community = _slug_param(request, "community")
    organisation = _slug_param(request, "organisation")
    if community:
        queryset = queryset.filter(
            Q(organisation__community__slug=community) | Q(asset__community__slug=community)
        )
    if organisation:
        queryset = queryset.filter(organisation__slug=organisation)
    occurrences = site_selectors.upcoming(queryset, limit=_limit(request), distinct=True)
    rows = [{"occ": occ, "url": _absolute("site:event", occ.event.slug)} for occ in occurrences]
    return {
        "template": "feeds/embed/events.html",
        "rows": rows,
        "more_url": settings.SITE_URL + reverse("site:events"),
    }


@embed_view
def embed_map(request, lang):
    queryset = Asset.objects.published()
    community = _slug_param(request, "community")
    organisation = _slug_param(request, "organisation")
    if community:
        queryset = queryset.filter(community__slug=community)
    if organisation:
        queryset = queryset.filter(organisation__slug=organisation)
    default = site_selectors.network_default_language()
    points = []
    for row in site_selectors.map_points(queryset):
        points.append(
            {
                "lat": row["lat"],
                "lon": row["lon"],
                "title": pick(row["title"], lang, default).text,
                "url": _absolute("site:asset", row["slug"]),
            }
        )
    return {
        "template": "feeds/embed/map.html",
        "points": points,
        "tiles": settings.HECO_MAP_TILES,
    }


@embed_view
def embed_asset(request, lang, slug):
    asset = site_selectors.asset_cards(Asset.objects.published().filter(slug=slug)).first()
    if asset is None:
        raise Http404(_("No such heritage asset."))
    image = asset.images[0] if asset.images else None
    return {
        "template": "feeds/embed/asset.html",
        "asset": asset,
        "image": image,
        "url": _absolute("site:asset", asset.slug),
    }


# --- the help page ---------------------------------------------------------------------------


@public_page
def embed_help(request):
    current = lang()
    base = settings.SITE_URL
    organisation = Organisation.objects.order_by("slug").only("slug").first()
    community = Community.objects.order_by("slug").only("slug").first()
    asset = Asset.objects.published().order_by("-featured", "slug").only("slug").first()
    org_slug = organisation.slug if organisation else "ORGANISATION"
    community_slug = community.slug if community else "COMMUNITY"
    asset_slug = asset.slug if asset else "ASSET"
    widgets = [
        {
            "title": _("Upcoming events"),
            "text": _(
                "The next events of a community (or an organisation: "
                "organisation=…), soonest first; limit is 1 to 20."
            ),  # fmt: skip
            "url": f"{base}/embed/{current}/events/?community={community_slug}&limit=5",
            "height": 420,
        },
        {
            "title": _("Map of heritage places"),
            "text": _(
                "The heritage places of an organisation (or a community: community=…) on a map."
            ),  # fmt: skip
            "url": f"{base}/embed/{current}/map/?organisation={org_slug}",
            "height": 400,
        },
        {
            "title": _("Heritage asset card"),
            "text": _("One heritage place or object with its picture and a link to its page."),
            "url": f"{base}/embed/{current}/assets/{asset_slug}/card",
            "height": 380,
        },
    ]
    for widget in widgets:
        widget["snippet"] = (
            f'<iframe src="{widget["url"]}" title="{widget["title"]}" width="100%" '
            f'height="{widget["height"]}" style="border:0" loading="lazy"></iframe>'
        )
    feeds = [
        {"title": _("News (RSS)"), "url": f"{base}/feeds/news.rss?lang={current}"},
        {"title": _("News (Atom)"), "url": f"{base}/feeds/news.atom?lang={current}"},
        {"title": _("Events (iCalendar)"), "url": f"{base}/feeds/events.ics?lang={current}"},
    ]
    return render(request, "feeds/embed_help.html", {"widgets": widgets, "feeds": feeds})
