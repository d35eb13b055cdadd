"""A tri-fold leaflet for a route: the same six panels as the organisation leaflet.

Outside: the cover (title, mode, photo of the first stop), the back (QR code to the route's
page and the managing organisation's contact) and the flap (the description and how times
are counted). Inside: an overview (summary, schematic map, distance, time) and the numbered
stops over two panels.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from heco.printing.documents.leaflet import LeafletDocument, Panel
from heco.printing.formatting import Text
from heco.systems import routing
from heco.systems.models import Route
from heco.systems.schematic import route_svg
from heco.systems.selectors import route_queryset

STOPS_PER_PANEL = 7


def km_text(distance_km: float) -> str:
    return f"{distance_km:.1f} km" if distance_km < 10 else f"{round(distance_km)} km"


def duration_text(minutes: int) -> str:
    hours, rest = divmod(int(minutes), 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h {rest:02d} min" if rest else f"{hours} h"


class RouteLeaflet(LeafletDocument):
    kind = "leaflet"
    target_models = (Route,)
    target_description = _("a route")

    def __init__(self, target, **options):
        # stops with their assets, services and places in one go (the plan reads them all)
        target = route_queryset().get(pk=target.pk)
        super().__init__(target, **options)

    def default_language(self):
        return self.target.organisation.community.default_language

    def organisation_ids(self) -> set:
        return {self.target.organisation_id}

    def panels(self) -> dict[str, Panel]:
        route = self.target
        org = route.organisation
        plan = routing.plan(route)
        stops = self._stops(plan)
        cover_asset = next(
            (s.asset for s in plan.stops if s.asset_id and self.image_for(s.asset)), None
        )
        title = self.text(route.title)
        # the stops over the two inside panels, evenly; beyond what fits: "more online"
        shown = stops[: 2 * STOPS_PER_PANEL]
        half = (len(shown) + 1) // 2
        if len(plan.countries) > 1:
            place = [Text(" · ".join(plan.countries), self.lang)]
        else:
            place = self.texts(org.community.name)[:1]
        return {
            "cover": Panel(
                "printing/leaflet/cover.html",
                {
                    "name": self.texts(route.title),
                    "kind": route.get_mode_display(),
                    "community": place,
                    "image": self.image_for(cover_asset) if cover_asset else None,
                    "intro": self.texts(route.summary),
                },
                "cover",
            ),
            "inside_1": Panel(
                "printing/leaflet/route_overview.html",
                {
                    "summary": self.texts(route.summary),
                    "map": route_svg(plan.points, label=title.text, width=320, height=260),
                    "distance": km_text(plan.distance_km),
                    "duration": duration_text(plan.duration_minutes),
                    "stop_count": len(stops),
                },
            ),
            "inside_2": Panel("printing/leaflet/route_stops.html", {"stops": shown[:half]}),
            "inside_3": Panel(
                "printing/leaflet/route_stops.html",
                {"stops": shown[half:], "continued": True, "more": len(stops) - len(shown)},
            ),
            "flap": Panel(
                "printing/leaflet/route_about.html",
                {
                    "about": self.texts(route.description) or self.texts(route.summary),
                    "speed": routing.SPEED_KMH[route.mode],
                },
            ),
            "back": Panel(
                "printing/leaflet/contact.html",
                {
                    "organisation": org,
                    "name": self.texts(org.name),
                    "networks": [self.texts(o.name) for o in route.partners.all()[:3]],
                    "qr": self.qr(route, "leaflet"),
                },
                "back",
            ),
        }

    def _stops(self, plan) -> list[dict]:
        out, number = [], 0
        for stop in plan.stops:
            located = stop.point() is not None
            if located:
                number += 1
            name = stop.display_name(self.lang)
            out.append(
                {
                    "number": number if located else None,
                    "name": Text(name.text, name.lang),
                    "note": self.text(stop.note),
                    "country": stop.country(),
                    "dwell": duration_text(routing.dwell_for(stop, self.target.mode)),
                }
            )
        return out
