"""``/search``: full-text and faceted search over published assets."""

from __future__ import annotations

from ninja import Query, Router

from heco.api import filters as asset_filters
from heco.api.heritage import MAX_SEARCH_OFFSET, asset_item, assets_by_ids
from heco.api.schemas import AssetFilters, LangParams, PageParams, SearchOut, ValidationErrors
from heco.search import search

router = Router(tags=["search"])


@router.get(
    "",
    response={200: SearchOut, 422: ValidationErrors},
    exclude_unset=True,
    summary="Search published heritage assets",
)
def search_assets(
    request,
    filters: Query[AssetFilters],
    page: Query[PageParams],
    params: Query[LangParams],
    facets: bool = True,
):
    """Assets by relevance (or by slug without `q`), with facet counts for the whole result
    set (`facets=false` leaves them out). `count_exact`/`facets_exact` are false when the
    search backend estimated them."""
    f = asset_filters.clean(filters)
    query = asset_filters.search_query(
        f,
        lang=params.lang or "en",
        limit=page.limit,
        offset=min(page.offset, MAX_SEARCH_OFFSET),
        facets=facets,
    )
    result = search(query)
    return {
        "items": [asset_item(a, params.lang) for a in assets_by_ids(result.ids)],
        "count": result.total,
        "count_exact": result.total_exact,
        "facets": {
            name: [{"value": str(v.value), "count": v.count} for v in values]
            for name, values in (result.facets or {}).items()
        },
        "facets_exact": result.facets_exact,
    }
