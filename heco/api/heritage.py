"""``/assets``: published heritage assets, list (with filters) and detail."""

from __future__ import annotations

import uuid

from django.http import Http404
from ninja import Query, Router, Status

from heco.api import filters as asset_filters
from heco.api.common import absolute, language_maps, paginate, ref
from heco.api.schemas import (
    AssetDetail,
    AssetFilters,
    AssetPage,
    Gone,
    LangParams,
    Message,
    PageParams,
    ValidationErrors,
)
from heco.api.urls_helper import public_url
from heco.core.models import Status as Lifecycle
from heco.heritage.models import Asset
from heco.search import search

router = Router(tags=["assets"])

MAX_SEARCH_OFFSET = 10**9  # past any real result set; keeps SQL OFFSET within 64 bits


def _strings(value) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else []


def published_assets():
    """Published assets with what a list item needs, in one query per page."""
    return Asset.objects.published().select_related("organisation", "community")


def assets_by_ids(ids) -> list[Asset]:
    """Published assets for search hits, in hit order (one query whatever the page size)."""
    found = {asset.id: asset for asset in published_assets().filter(id__in=list(ids))}
    return [found[i] for i in ids if i in found]


def asset_item(asset: Asset, lang: str | None) -> dict:
    default = asset.community.default_language
    return {
        "id": asset.id,
        "slug": asset.slug,
        "url": public_url("asset", asset.slug, lang),
        **language_maps(
            lang,
            default,
            title=asset.title,
            summary=asset.summary,
            designation=asset.designation,
        ),
        "kind": asset.kind,
        "themes": _strings(asset.themes),
        "tags": _strings(asset.tags),
        "organisation": ref("organisation", asset.organisation, lang, default),
        "community": ref("community", asset.community, lang, default),
        "country": asset.community.country,
        "address": asset.address,
        "lat": asset.lat,
        "lon": asset.lon,
        "dating": asset.dating,
        "start_year": asset.start_year,
        "end_year": asset.end_year,
        "condition": asset.condition,
        "featured": asset.featured,
        "published_at": asset.published_at,
        "updated_at": asset.updated_at,
    }


def _media_item(media, lang: str | None, default: str) -> dict:
    url = media.file.url if media.file else media.url
    return {
        "kind": media.kind,
        "url": absolute(url),
        "preview_url": absolute(media.rendition_url("800")),
        "rights": media.rights,
        "credit": media.credit,
        "width": media.width,
        "height": media.height,
        **language_maps(lang, default, alt_text=media.alt_text, caption=media.caption),
    }


def asset_detail_item(asset: Asset, lang: str | None) -> dict:
    default = asset.community.default_language
    geometry = asset.geometry if isinstance(asset.geometry, dict) else None
    return {
        **asset_item(asset, lang),
        **language_maps(lang, default, description=asset.description),
        "geometry": geometry,
        "identifiers": [
            {"scheme": i.scheme, "value": i.value, "url": i.url} for i in asset.identifiers.all()
        ],
        "media": [_media_item(m, lang, default) for m in asset.media.all()],
    }


@router.get(
    "",
    response={200: AssetPage, 422: ValidationErrors},
    exclude_unset=True,
    summary="List published heritage assets",
)
def list_assets(
    request,
    filters: Query[AssetFilters],
    page: Query[PageParams],
    params: Query[LangParams],
):
    """Published assets, by slug (by distance with `lat`/`lon`). With `q`, by relevance
    through the search index. Repeat a filter parameter to accept several values."""
    f = asset_filters.clean(filters)
    if f.q:
        query = asset_filters.search_query(
            f,
            lang=params.lang or "en",
            limit=page.limit,
            offset=min(page.offset, MAX_SEARCH_OFFSET),
            facets=False,
        )
        result = search(query)
        assets, count = assets_by_ids(result.ids), result.total
    else:
        queryset = asset_filters.apply_to_queryset(published_assets(), f)
        assets, count = paginate(queryset, page.limit, page.offset)
    return {"items": [asset_item(a, params.lang) for a in assets], "count": count}


@router.get(
    "/{id}",
    response={200: AssetDetail, 404: Message, 410: Gone, 422: ValidationErrors},
    exclude_unset=True,
    summary="One published heritage asset",
)
def get_asset(request, id: uuid.UUID, params: Query[LangParams]):
    """A published asset with its identifiers and media. A deleted asset answers 410 with
    its id; an asset that is not published answers 404."""
    asset = (
        Asset.objects.select_related("organisation", "community")
        .prefetch_related("identifiers", "media")
        .filter(id=id)
        .first()
    )
    if asset is None or asset.status not in (Lifecycle.PUBLISHED, Lifecycle.DELETED):
        raise Http404
    if asset.status == Lifecycle.DELETED:
        return Status(410, {"id": asset.id, "status": "deleted"})
    return asset_detail_item(asset, params.lang)
