"""Route exports: GPX 1.1 (gpxpy) and GeoJSON (RFC 7946: [lon, lat], WGS84)."""

from __future__ import annotations

import gpxpy.gpx

from heco.core.langmap import pick
from heco.core.text import xml_text
from heco.systems.routing import RoutePlan


def _name(langmap, lang, default=None) -> str:
    return pick(langmap, lang, default).text


def _xml(text: str | None) -> str | None:
    # pasted text sometimes carries characters XML forbids; one makes the whole file unreadable
    return xml_text(text) if text else text


def route_gpx(route, route_plan: RoutePlan, *, lang: str, url: str, stop_urls: dict) -> str:
    """A GPX document: one waypoint per located stop and one route (rte) through them in
    order, so apps show the stops and can navigate from one to the next."""
    default = route.organisation.community.default_language
    gpx = gpxpy.gpx.GPX()
    gpx.creator = "HE.CO Hub"
    gpx.name = _xml(_name(route.title, lang, default))
    gpx.description = _xml(_name(route.summary, lang, default)) or None
    gpx.link = url
    gpx.link_text = gpx.name
    rte = gpxpy.gpx.GPXRoute(name=gpx.name, description=gpx.description)
    rte.link = url
    for number, stop in enumerate(route_plan.located_stops, start=1):
        lat, lon = stop.point()
        name = _xml(f"{number}. {stop.display_name(lang).text}")
        comment = _xml(_name(stop.note, lang, default)) or None
        waypoint = gpxpy.gpx.GPXWaypoint(
            latitude=lat, longitude=lon, name=name, comment=comment, type=stop.kind
        )
        if stop_urls.get(stop.pk):
            waypoint.link = stop_urls[stop.pk]
        gpx.waypoints.append(waypoint)
        rte.points.append(
            gpxpy.gpx.GPXRoutePoint(latitude=lat, longitude=lon, name=name, comment=comment)
        )
    gpx.routes.append(rte)
    return gpx.to_xml(version="1.1")


def route_geojson(route, route_plan: RoutePlan, *, lang: str, url: str, stop_urls: dict) -> dict:
    """A FeatureCollection: the route as a LineString (with distance and duration), then one
    Point per located stop (numbered in order)."""
    default = route.organisation.community.default_language
    features = []
    coordinates = [[round(lon, 7), round(lat, 7)] for lat, lon in route_plan.points]
    if len(coordinates) >= 2:
        features.append(
            {
                "type": "Feature",
                "id": str(route.pk),
                "geometry": {"type": "LineString", "coordinates": coordinates},
                "properties": {
                    "kind": "route",
                    "slug": route.slug,
                    "title": route.title,
                    "mode": route.mode,
                    "distance_km": round(route_plan.distance_km, 2),
                    "duration_minutes": route_plan.duration_minutes,
                    "countries": route_plan.countries,
                    "url": url,
                },
            }
        )
    for number, stop in enumerate(route_plan.located_stops, start=1):
        lat, lon = stop.point()
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [round(lon, 7), round(lat, 7)]},
                "properties": {
                    "kind": "stop",
                    "stop_kind": stop.kind,
                    "number": number,
                    "name": stop.display_name(lang).text,
                    "note": _name(stop.note, lang, default),
                    "country": stop.country(),
                    "url": stop_urls.get(stop.pk, ""),
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}
