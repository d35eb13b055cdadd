"""Route leaflet as PDF: a ``heco.printing`` document kind (same fonts, same local-only
fetcher, same WeasyPrint settings), rendered with ``heco.printing.render.render_pdf``.

It lives here rather than in ``heco.printing.documents`` because routes are this app's
records; to offer it at ``/print/route/<id>.pdf`` as well, list ``RouteDocument`` in
``heco.printing.documents.KINDS``.
"""

from __future__ import annotations

from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

from heco.core.cache import catalogue_version
from heco.printing.documents.base import Document
from heco.printing.render import render_html, render_pdf
from heco.systems import routing
from heco.systems.models import Route
from heco.systems.schematic import route_svg

PDF_CACHE_SECONDS = 600


class RouteDocument(Document):
    kind = "route"
    template = "systems/print/route.html"
    target_models = (Route,)
    target_description = _("a route")
    sizes = ("A4", "A5")
    default_size = "A4"

    def default_language(self):
        return self.target.organisation.community.default_language

    def organisation_ids(self) -> set:
        return {self.target.organisation_id}

    def build_context(self) -> dict:
        route = self.target
        route_plan = routing.plan(route)
        stops = []
        number = 0
        for stop in route_plan.stops:
            located = stop.point() is not None
            if located:
                number += 1
            stops.append(
                {
                    "number": number if located else None,
                    "name": stop.display_name(self.lang),
                    "note": self.text(stop.note),
                    "kind": stop.kind,
                    "country": stop.country(),
                    "dwell": routing.dwell_for(stop, route.mode),
                }
            )
        return {
            "route": route,
            "plan": route_plan,
            "title": self.text(route.title),
            "summary": self.text(route.summary),
            "description": self.text(route.description),
            "stops": stops,
            "legs": route_plan.legs,
            "svg": route_svg(route_plan.points, label=self.text(route.title).text),
            "speed": routing.SPEED_KMH[route.mode],
        }


def route_pdf(route, lang: str, size: str | None = None) -> bytes:
    document = RouteDocument(route, lang=lang, size=size)
    # the catalogue version changes on any write (the route, a stop, an asset, a service…)
    key = f"systems:route-pdf:{route.pk}:{catalogue_version()}:{lang}:{document.size}"
    pdf = cache.get(key)
    if pdf is None:
        pdf = render_pdf(document)
        cache.set(key, pdf, PDF_CACHE_SECONDS)
    return pdf


def route_print_html(route, lang: str) -> str:
    return render_html(RouteDocument(route, lang=lang))
