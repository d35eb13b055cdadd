"""The service map: for each community, which kinds of cultural service exist, where the
nearest one is, and which kinds are missing within a radius (a gap).

Bounded: two queries (communities, published services), each capped; distances are
computed in Python. Services are bucketed by kind and sorted by latitude, so each community
only measures the services inside its latitude band.

A service is located at its asset, else at its provider organisation; it belongs to the
community of that asset, else of its provider. A service with no location still counts as
provided in its community ("here"); it is only left out of the distances.

A community without coordinates stays in the result (``placed`` is false): what it provides
itself is known, but whether a kind is within reach is not, so its other kinds are
``UNKNOWN`` rather than gaps.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass, field

from heco.core.geo import EARTH_RADIUS_KM, haversine_km, valid_point
from heco.core.models import Status
from heco.network.models import Community
from heco.programme.models import Service

DEFAULT_RADIUS_KM = 20
MAX_RADIUS_KM = 200
CONTEXT_RADIUS_KM = 300  # how far a missing kind's nearest service is still reported
COMMUNITY_LIMIT = 1000
SERVICE_LIMIT = 50_000

HERE, NEARBY, MISSING = "here", "nearby", "missing"
UNKNOWN = "unknown"  # not provided here, and the community has no coordinates to measure from


@dataclass(frozen=True)
class ServicePoint:
    kind: str
    lat: float | None  # None: the service has no location (it still counts "here")
    lon: float | None
    community_id: object

    @property
    def located(self) -> bool:
        return self.lat is not None and self.lon is not None


@dataclass(frozen=True)
class Cell:
    kind: str
    status: str  # HERE, NEARBY, MISSING, or UNKNOWN for a community without coordinates
    count_here: int
    nearest_km: float | None  # nearest of the kind; None if none within CONTEXT_RADIUS_KM


@dataclass
class CommunityRow:
    community: Community
    cells: list[Cell] = field(default_factory=list)

    @property
    def placed(self) -> bool:
        """Does the community have coordinates (a place on the map, distances)?"""
        return valid_point(self.community.lat, self.community.lon)

    @property
    def gaps(self) -> list[Cell]:
        return [cell for cell in self.cells if cell.status == MISSING]


def load_service_points(limit: int = SERVICE_LIMIT) -> list[ServicePoint]:
    rows = (
        Service.objects.filter(status=Status.PUBLISHED)
        .values_list(
            "kind",
            "asset__lat",
            "asset__lon",
            "asset__community_id",
            "asset__status",
            "organisation__lat",
            "organisation__lon",
            "organisation__community_id",
        )
        .order_by("slug")[:limit]
    )
    points = []
    for kind, alat, alon, acomm, astatus, olat, olon, ocomm in rows:
        live_asset = astatus is not None and astatus != Status.DELETED
        if live_asset and valid_point(alat, alon):
            points.append(ServicePoint(kind, alat, alon, acomm))
        elif valid_point(olat, olon):
            points.append(ServicePoint(kind, olat, olon, ocomm))
        else:  # nowhere to measure from, but provided in its community all the same
            points.append(ServicePoint(kind, None, None, acomm if live_asset else ocomm))
    return points


def load_communities(limit: int = COMMUNITY_LIMIT) -> list[Community]:
    """Every community but countries, placed or not (see ``CommunityRow.placed``)."""
    return list(
        Community.objects.exclude(kind=Community.Kind.COUNTRY).order_by("country", "slug")[:limit]
    )


class KindIndex:
    """Services of one kind sorted by latitude (a one-dimensional band pre-filter)."""

    def __init__(self, points: list[ServicePoint]):
        self.points = sorted((p for p in points if p.located), key=lambda p: p.lat)
        self.lats = [p.lat for p in self.points]

    def nearest_km(self, lat: float, lon: float, within: float | None = None) -> float | None:
        """Distance to the nearest point; with ``within``, only points inside that radius
        are looked at (None when there are none)."""
        if not self.points:
            return None
        if within is None:
            candidates = self.points
        else:
            dlat = math.degrees(within / EARTH_RADIUS_KM)
            lo = bisect.bisect_left(self.lats, lat - dlat)
            hi = bisect.bisect_right(self.lats, lat + dlat)
            candidates = self.points[lo:hi]
        best = None
        for point in candidates:
            km = haversine_km(lat, lon, point.lat, point.lon)
            if best is None or km < best:
                best = km
        if within is not None and (best is None or best > within):
            return None
        return best


def compute(
    radius_km: float = DEFAULT_RADIUS_KM,
    kinds: list[str] | None = None,
    communities: list[Community] | None = None,
    points: list[ServicePoint] | None = None,
) -> list[CommunityRow]:
    kinds = kinds or list(Service.Kind.values)
    communities = load_communities() if communities is None else communities
    points = load_service_points() if points is None else points
    by_kind = {kind: KindIndex([p for p in points if p.kind == kind]) for kind in kinds}
    here_counts: dict[tuple, int] = {}
    for p in points:
        key = (p.community_id, p.kind)
        here_counts[key] = here_counts.get(key, 0) + 1
    rows = []
    for community in communities:
        row = CommunityRow(community)
        for kind in kinds:
            count = here_counts.get((community.pk, kind), 0)
            if not row.placed:  # no distances without coordinates: here, or not known
                row.cells.append(Cell(kind, HERE if count else UNKNOWN, count, None))
                continue
            index = by_kind[kind]
            within = index.nearest_km(community.lat, community.lon, within=radius_km)
            if count:
                status = HERE
            elif within is not None:
                status = NEARBY
            else:
                status = MISSING
            nearest = within
            if nearest is None:  # how far the gap is, looked for within a wider band
                nearest = index.nearest_km(community.lat, community.lon, within=CONTEXT_RADIUS_KM)
            row.cells.append(Cell(kind, status, count, nearest))
        rows.append(row)
    return rows
