"""The one search interface. Backends (SQLite FTS5, PostgreSQL full-text) implement it.

Views, the API and exports build a SearchQuery and call ``heco.search.search(query)``;
they never talk to a backend directly.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

FACETS = ("country", "community", "organisation", "kind", "theme", "period", "accessibility")


@dataclass(frozen=True)
class SearchQuery:
    q: str = ""
    country: tuple[str, ...] = ()  # ISO 3166-1 alpha-2, upper case
    community: tuple[str, ...] = ()  # community slugs
    organisation: tuple[str, ...] = ()  # organisation slugs
    kind: tuple[str, ...] = ()  # Asset.Kind values
    theme: tuple[str, ...] = ()  # Theme values
    accessibility: tuple[str, ...] = ()  # Accessibility values (of the asset's services)
    period: tuple[int | None, int | None] | None = None  # (from_year, to_year), overlap test
    open_now: bool = False
    bbox: tuple[float, float, float, float] | None = None  # min_lon, min_lat, max_lon, max_lat
    near: tuple[float, float, float] | None = None  # lat, lon, radius_km
    lang: str = "en"
    offset: int = 0
    limit: int = 20
    facets: bool = True
    prefix: bool = True  # last word matches as a prefix (type-ahead)


@dataclass(frozen=True)
class FacetValue:
    value: str
    count: int


@dataclass
class SearchResult:
    ids: list[uuid.UUID]  # asset ids, best first
    total: int
    total_exact: bool = True
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    facets_exact: bool = True
