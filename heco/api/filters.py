"""Asset filters shared by ``/assets``, ``/search`` and ``/export/*``: checks that need several
parameters, the ORM version (``/assets`` and exports without ``q``) and the SearchQuery
version (``/search``, and ``/assets`` and exports with ``q``)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from django.db import connection
from django.db.models import Exists, ExpressionWrapper, F, FloatField, OuterRef, Q, Value
from django.db.models.functions import ASin, Coalesce, Cos, Least, Power, Radians, Sin, Sqrt

from heco.api.common import invalid
from heco.api.schemas import AssetFilters
from heco.core.geo import EARTH_RADIUS_KM, bbox_around
from heco.core.models import Status
from heco.search import SearchQuery

DEFAULT_RADIUS_KM = 10.0


@dataclass(frozen=True)
class CleanFilters:
    q: str
    country: tuple[str, ...]
    community: tuple[str, ...]
    organisation: tuple[str, ...]
    kind: tuple[str, ...]
    theme: tuple[str, ...]
    bbox: tuple[float, float, float, float] | None
    near: tuple[float, float, float] | None  # lat, lon, radius_km
    period: tuple[int | None, int | None] | None = None  # from_year, to_year (overlap)
    accessibility: tuple[str, ...] = ()
    open_now: bool = False


def parse_bbox(raw: str) -> tuple[float, float, float, float]:
    parts = raw.split(",")
    if len(parts) != 4:
        raise invalid("bbox", "bbox needs four numbers: minLon,minLat,maxLon,maxLat.")
    try:
        min_lon, min_lat, max_lon, max_lat = (float(p) for p in parts)
    except ValueError:
        raise invalid("bbox", "bbox values must be numbers.")
    if not all(math.isfinite(v) for v in (min_lon, min_lat, max_lon, max_lat)):
        raise invalid("bbox", "bbox values must be finite numbers.")
    if not (-180 <= min_lon <= 180 and -180 <= max_lon <= 180):
        raise invalid("bbox", "bbox longitudes must be between -180 and 180.")
    if not (-90 <= min_lat <= 90 and -90 <= max_lat <= 90):
        raise invalid("bbox", "bbox latitudes must be between -90 and 90.")
    if min_lon > max_lon:
        raise invalid("bbox", "bbox minLon must not be greater than maxLon.")
    if min_lat > max_lat:
        raise invalid("bbox", "bbox minLat must not be greater than maxLat.")
    return (min_lon, min_lat, max_lon, max_lat)


def parse_period(raw: str) -> tuple[int | None, int | None]:
    """``1500-1700`` / ``1500-`` / ``-1700`` / ``1600`` / ``-500-100`` -> (from, to) years."""
    raw = raw.strip()
    if raw.isdigit():
        return (int(raw), int(raw))
    match = re.fullmatch(r"(-?\d{1,4})?-(-?\d{1,4})?", raw)
    if not match:
        raise invalid("period", "period must look like 1500-1700, 1500- or -1700.")
    lo, hi = (int(v) if v is not None else None for v in match.groups())
    if lo is None and hi is None:
        raise invalid("period", "period needs at least one year.")
    if lo is not None and hi is not None and lo > hi:
        raise invalid("period", "period start must not be after its end.")
    return (lo, hi)


def clean(filters: AssetFilters) -> CleanFilters:
    """Checks that involve more than one parameter; raises a 422 naming the field."""
    if filters.lat is not None and filters.lon is None:
        raise invalid("lon", "lon is required together with lat.", "missing")
    if filters.lon is not None and filters.lat is None:
        raise invalid("lat", "lat is required together with lon.", "missing")
    if filters.radius is not None and filters.lat is None:
        raise invalid("radius", "radius needs lat and lon.", "missing")
    near = None
    if filters.lat is not None:
        near = (filters.lat, filters.lon, filters.radius or DEFAULT_RADIUS_KM)
    return CleanFilters(
        q=(filters.q or "").strip(),
        country=tuple(sorted({c.upper() for c in filters.country or ()})),
        community=tuple(filters.community or ()),
        organisation=tuple(filters.organisation or ()),
        kind=tuple(filters.kind or ()),
        theme=tuple(filters.theme or ()),
        bbox=parse_bbox(filters.bbox) if filters.bbox else None,
        near=near,
        period=parse_period(filters.period) if filters.period else None,
        accessibility=tuple(filters.accessibility or ()),
        open_now=bool(filters.open_now),
    )


def search_query(f: CleanFilters, *, lang: str, limit: int, offset: int, facets: bool):
    return SearchQuery(
        q=f.q,
        country=f.country,
        community=f.community,
        organisation=f.organisation,
        kind=f.kind,
        theme=f.theme,
        bbox=f.bbox,
        near=f.near,
        period=f.period,
        accessibility=f.accessibility,
        open_now=f.open_now,
        lang=lang,
        limit=limit,
        offset=offset,
        facets=facets,
    )


def json_list_has_any(field: str, values) -> Q:
    """Rows whose JSON list ``field`` holds any of ``values`` (validated choice values).

    PostgreSQL tests JSON containment; SQLite has no containment lookup, so we match the
    quoted value in the JSON text, exact because choice values are plain slugs.
    """
    condition = Q()
    for value in values:
        if connection.vendor == "postgresql":
            condition |= Q(**{f"{field}__contains": [value]})
        else:
            condition |= Q(**{f"{field}__icontains": f'"{value}"'})
    return condition


def _any_theme(queryset, themes: tuple[str, ...]):
    """Assets having any of ``themes`` in their JSON list."""
    return queryset.filter(json_list_has_any("themes", themes))


def _period(queryset, period: tuple[int | None, int | None]):
    """Overlap of [start_year, end_year] with the period, as the search index does it: a
    missing start or end year stands for the other; undated assets never match."""
    lo, hi = period
    start, end = Coalesce("start_year", "end_year"), Coalesce("end_year", "start_year")
    queryset = queryset.alias(period_start=start, period_end=end).filter(period_start__isnull=False)
    if hi is not None:
        queryset = queryset.filter(period_start__lte=hi)
    if lo is not None:
        queryset = queryset.filter(period_end__gte=lo)
    return queryset


def _accessibility(queryset, values: tuple[str, ...]):
    """Assets with a published service offering any of ``values`` (as the search index)."""
    from heco.programme.models import Service

    services = Service.objects.filter(
        json_list_has_any("accessibility", values), asset=OuterRef("pk"), status=Status.PUBLISHED
    )
    return queryset.filter(Exists(services))


def apply_to_queryset(queryset, f: CleanFilters):
    """The ORM version of the filters (everything except ``q``).

    ``open_now`` evaluates every published service's opening hours in Python (as the search
    backends do) and passes the open assets' ids to SQL.
    """
    if f.country:
        queryset = queryset.filter(community__country__in=f.country)
    if f.community:
        queryset = queryset.filter(community__slug__in=f.community)
    if f.organisation:
        queryset = queryset.filter(organisation__slug__in=f.organisation)
    if f.kind:
        queryset = queryset.filter(kind__in=f.kind)
    if f.theme:
        queryset = _any_theme(queryset, f.theme)
    if f.period:
        queryset = _period(queryset, f.period)
    if f.accessibility:
        queryset = _accessibility(queryset, f.accessibility)
    if f.open_now:
        from heco.programme.hours import open_asset_ids

        queryset = queryset.filter(id__in=list(open_asset_ids()))
    if f.bbox:
        min_lon, min_lat, max_lon, max_lat = f.bbox
        queryset = queryset.filter(
            lon__gte=min_lon, lon__lte=max_lon, lat__gte=min_lat, lat__lte=max_lat
        )
    if f.near:
        lat, lon, radius = f.near
        min_lon, min_lat, max_lon, max_lat = bbox_around(lat, lon, radius)
        # the bounding box uses the (lat, lon) index; the haversine distance refines it
        queryset = queryset.filter(
            lat__gte=min_lat, lat__lte=max_lat, lon__gte=min_lon, lon__lte=max_lon
        )
        half_dlat = (Radians(F("lat")) - Value(math.radians(lat))) / 2
        half_dlon = (Radians(F("lon")) - Value(math.radians(lon))) / 2
        a = Power(Sin(half_dlat), 2) + Value(math.cos(math.radians(lat))) * Cos(
            Radians(F("lat"))
        ) * Power(Sin(half_dlon), 2)
        distance = Value(2 * EARTH_RADIUS_KM) * ASin(Least(Value(1.0), Sqrt(a)))
        queryset = (
            queryset.annotate(distance_km=ExpressionWrapper(distance, output_field=FloatField()))
            .filter(distance_km__lte=radius)
            .order_by("distance_km", "slug")
        )
    return queryset
