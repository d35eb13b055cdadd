"""Asset filters shared by ``/assets`` and ``/search``: checks that need several parameters,
the ORM version (``/assets`` without ``q``) and the SearchQuery version (``/search``)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.db import connection
from django.db.models import ExpressionWrapper, F, FloatField, Q, Value
from django.db.models.functions import ASin, Cos, Least, Power, Radians, Sin, Sqrt

from heco.api.common import invalid
from heco.api.schemas import AssetFilters
from heco.core.geo import EARTH_RADIUS_KM, bbox_around
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
        lang=lang,
        limit=limit,
        offset=offset,
        facets=facets,
    )


def _any_theme(queryset, themes: tuple[str, ...]):
    """Assets having any of ``themes`` (validated Theme values) in their JSON list.

    PostgreSQL tests JSON containment; SQLite has no containment lookup, so we match the
    quoted value in the JSON text, exact because theme values are plain slugs.
    """
    condition = Q()
    for theme in themes:
        if connection.vendor == "postgresql":
            condition |= Q(themes__contains=[theme])
        else:
            condition |= Q(themes__icontains=f'"{theme}"')
    return queryset.filter(condition)


def apply_to_queryset(queryset, f: CleanFilters):
    """The ORM version of the filters (everything except ``q``)."""
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
