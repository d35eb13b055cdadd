"""Route distance and estimated duration.

Distance is the sum of the great-circle (haversine) distances between consecutive stops that
have a location, in stop order. It is a straight-line lower bound: real paths are longer, so
the page calls it "about". Duration is the distance at the mode's average speed plus the time
spent at each stop:

=======  ===========  ======================
mode     speed        default dwell per stop
=======  ===========  ======================
walk     4.5 km/h     20 minutes
bike     15 km/h      15 minutes
car      50 km/h      30 minutes
=======  ===========  ======================

A stop's own ``dwell_minutes`` replaces the default. Stops without a location count for their
dwell time but add no distance.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from heco.core.geo import haversine_km

SPEED_KMH = {"walk": 4.5, "bike": 15.0, "car": 50.0}
DEFAULT_DWELL_MINUTES = {"walk": 20, "bike": 15, "car": 30}


@dataclass(frozen=True)
class Leg:
    start: object  # RouteStop
    end: object  # RouteStop
    km: float


@dataclass
class RoutePlan:
    mode: str
    stops: list
    legs: list[Leg] = field(default_factory=list)
    distance_km: float = 0.0
    travel_minutes: int = 0
    dwell_minutes: int = 0

    @property
    def duration_minutes(self) -> int:
        return self.travel_minutes + self.dwell_minutes

    @property
    def countries(self) -> list[str]:
        seen = []
        for stop in self.stops:
            code = stop.country()
            if code and code not in seen:
                seen.append(code)
        return seen

    @property
    def located_stops(self) -> list:
        return [stop for stop in self.stops if stop.point() is not None]

    @property
    def points(self) -> list[tuple[float, float]]:
        return [stop.point() for stop in self.located_stops]


def travel_minutes(distance_km: float, mode: str) -> int:
    return math.ceil(distance_km / SPEED_KMH[mode] * 60) if distance_km else 0


def dwell_for(stop, mode: str) -> int:
    return stop.dwell_minutes if stop.dwell_minutes is not None else DEFAULT_DWELL_MINUTES[mode]


def plan(route, stops=None) -> RoutePlan:
    """Distance, legs and duration of ``route`` (``stops`` in order, relations joined; by
    default ``route.stops.all()``, which should be prefetched). Stops linked to an unpublished
    asset or service are left out."""
    stops = [stop for stop in (route.stops.all() if stops is None else stops) if stop.is_public()]
    result = RoutePlan(mode=route.mode, stops=stops)
    previous = None
    for stop in stops:
        result.dwell_minutes += dwell_for(stop, route.mode)
        point = stop.point()
        if point is None:
            continue
        if previous is not None:
            km = haversine_km(*previous.point(), *point)
            result.legs.append(Leg(previous, stop, km))
            result.distance_km += km
        previous = stop
    result.travel_minutes = travel_minutes(result.distance_km, route.mode)
    return result
