"""Home, asset, organisation, community and network pages."""

from __future__ import annotations

from django.db.models import Q
from django.shortcuts import get_object_or_404, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from heco.aggregation.negotiation import negotiate
from heco.core.cache import public_page
from heco.core.langmap import pick
from heco.harvest.provenance import provenance_for
from heco.heritage.models import Media, Theme
from heco.network.models import Community, Network, Organisation
from heco.site import jsonld, selectors
from heco.site.views.common import (
    Gone,
    bad_request,
    base_url,
    country_name,
    gone,
    lang,
    page_number,
    paginate,
    public_record,
)

THEME_LABELS = dict(Theme.choices)
ASSETS_PER_PAGE = 24
SIDE_LIST_LIMIT = 20
EVENTS_LIMIT = 10


def _map_data(points, lang_code: str) -> list[dict]:
    """Map markers for ``points`` (rows of selectors.map_points); each row also gets its
    ``url`` and picked ``text`` for the list beside the map. One reverse() for all rows (the
    home page lists 300 places: a reverse and a language pick per row were a third of its
    rendering time)."""
    url_of = selectors.asset_url_maker()
    default = selectors.network_default_language()
    out = []
    for row in points:
        text = pick(row["title"], lang_code, default)
        row["url"] = url_of(row["slug"])
        row["text"] = text
        out.append(
            {
                "lat": row["lat"],
                "lon": row["lon"],
                "title": text.text or row["slug"],
                "url": row["url"],
            }
        )
    return out


@public_page
def home(request):
    code = lang()
    services, open_total = selectors.open_today()
    featured = list(
        selectors.asset_cards(
            selectors.published_assets().filter(featured=True).order_by("-published_at", "slug")
        )[:6]
    )
    if not featured:
        featured = list(
            selectors.asset_cards(selectors.published_assets().order_by("-published_at", "slug"))[
                :6
            ]
        )
    points = selectors.map_points()
    context = {
        "counts": selectors.network_counts(),
        "open_services": services,
        "open_total": open_total,
        "occurrences": selectors.upcoming(limit=6, distinct=True),
        "featured": featured,
        "map_points": points,
        "map_data": _map_data(points, code),
        "map_limit": selectors.MAP_POINTS_LIMIT,
    }
    return render(request, "site/home.html", context)


@public_page
def asset_detail(request, slug):
    code = lang()
    try:
        asset = public_record(selectors.asset_page_queryset(), slug)
    except Gone:
        return gone(request, _("This heritage asset has been removed from the catalogue."))
    data = negotiate(request, asset)  # JSON-LD, EDM RDF/XML or Turtle when the client asks
    if data is not None:
        return data
    media = list(asset.media.all())
    images = [m for m in media if m.kind == Media.Kind.IMAGE and (m.file or m.url)]
    other_media = [m for m in media if m.kind != Media.Kind.IMAGE]
    services, occurrences = [], []  # most assets have neither (see asset_page_queryset)
    if asset.has_services:
        services = selectors.with_states(
            selectors.published_services().filter(asset=asset).order_by("slug")[:SIDE_LIST_LIMIT]
        )
    if asset.has_events:
        occurrences = selectors.upcoming(
            selectors.published_events().filter(asset=asset), limit=EVENTS_LIMIT, distinct=True
        )
    nearby = selectors.nearby_assets(asset)
    map_data = []
    if asset.lat is not None and asset.lon is not None:
        map_data.append(
            {
                "lat": asset.lat,
                "lon": asset.lon,
                "title": pick(asset.title, code).text,
                "url": "",
                "main": True,
            }
        )
    for other, _km in nearby:
        map_data.extend(
            _map_data(
                [{"lat": other.lat, "lon": other.lon, "title": other.title, "slug": other.slug}],
                code,
            )
        )
    context = {
        "asset": asset,
        "images": images,
        "other_media": other_media,
        "services": services,
        "occurrences": occurrences,
        "nearby": nearby,
        "map_data": map_data,
        "identifiers": list(asset.identifiers.all()),
        "themes": [(t, THEME_LABELS.get(t, t)) for t in asset.themes or []],
        "jsonld": jsonld.asset_jsonld(
            asset, base_url=base_url(request), lang=code, images=images, services=services
        ),
        "og_image": images[0].rendition_url("800") if images else "",
        "provenance": provenance_for(asset, code) if asset.has_sources else [],
    }
    response = render(request, "site/asset_detail.html", context)
    patch_vary_headers(response, ["Accept"])
    return response


def _assets_page(request, queryset, template, context):
    number = page_number(request)
    if number is None:
        return None, bad_request(
            request, template, context, [gettext("The page must be a whole number.")]
        )
    page = paginate(
        selectors.asset_cards(queryset.order_by("-featured", "slug")), number, ASSETS_PER_PAGE
    )
    return page, None


@public_page
def organisation_detail(request, slug):
    code = lang()
    org = get_object_or_404(Organisation.objects.select_related("community"), slug=slug)
    context = {"organisation": org}
    page, error = _assets_page(
        request,
        selectors.published_assets().filter(organisation=org),
        "site/organisation_detail.html",
        context,
    )
    if error:
        return error
    services_qs = selectors.published_services().filter(organisation=org)
    context.update(
        {
            "page": page,
            "services": selectors.with_states(services_qs.order_by("slug")[:SIDE_LIST_LIMIT]),
            "services_total": services_qs.count(),
            "occurrences": selectors.upcoming(
                selectors.published_events().filter(Q(organisation=org) | Q(venue=org)),
                limit=EVENTS_LIMIT,
                distinct=True,
            ),
            "networks": list(org.networks.order_by("slug")[:SIDE_LIST_LIMIT]),
            "map_data": _map_data(
                selectors.map_points(selectors.published_assets().filter(organisation=org)), code
            ),
            "jsonld": jsonld.organisation_jsonld(org, base_url=base_url(request), lang=code),
        }
    )
    return render(request, "site/organisation_detail.html", context)


@public_page
def community_detail(request, slug):
    code = lang()
    community = get_object_or_404(Community.objects.select_related("parent"), slug=slug)
    context = {"community": community}
    page, error = _assets_page(
        request,
        selectors.published_assets().filter(community=community),
        "site/community_detail.html",
        context,
    )
    if error:
        return error
    orgs = Organisation.objects.filter(community=community).order_by("slug")
    services_qs = selectors.published_services().filter(
        Q(organisation__community=community) | Q(asset__community=community)
    )
    context.update(
        {
            "page": page,
            "organisations": list(orgs[:SIDE_LIST_LIMIT]),
            "organisations_total": orgs.count(),
            "children": list(community.children.order_by("slug")[:SIDE_LIST_LIMIT]),
            "services": selectors.with_states(services_qs.order_by("slug")[:SIDE_LIST_LIMIT]),
            "services_total": services_qs.count(),
            "occurrences": selectors.upcoming(
                selectors.published_events().filter(
                    Q(organisation__community=community) | Q(asset__community=community)
                ),
                limit=EVENTS_LIMIT,
                distinct=True,
            ),
            "map_data": _map_data(
                selectors.map_points(selectors.published_assets().filter(community=community)),
                code,
            ),
            "jsonld": jsonld.community_jsonld(community, base_url=base_url(request), lang=code),
            "country_name": country_name(community.country, code),
        }
    )
    return render(request, "site/community_detail.html", context)


@public_page
def network_detail(request, slug):
    code = lang()
    network = get_object_or_404(Network, slug=slug)
    context = {"network": network}
    member_ids = network.organisations.values("id")
    page, error = _assets_page(
        request,
        selectors.published_assets().filter(organisation__in=member_ids),
        "site/network_detail.html",
        context,
    )
    if error:
        return error
    orgs = network.organisations.select_related("community").order_by("slug")
    members = list(orgs[:100])
    context.update(
        {
            "page": page,
            "organisations": members,
            "organisations_total": orgs.count(),
            "occurrences": selectors.upcoming(
                selectors.published_events().filter(organisation__in=member_ids),
                limit=EVENTS_LIMIT,
                distinct=True,
            ),
            "map_data": _map_data(
                selectors.map_points(
                    selectors.published_assets().filter(organisation__in=member_ids)
                ),
                code,
            ),
            "jsonld": jsonld.network_jsonld(
                network, base_url=base_url(request), lang=code, organisations=members
            ),
        }
    )
    return render(request, "site/network_detail.html", context)
