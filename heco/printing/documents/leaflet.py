"""A tri-fold A4 landscape leaflet.

Two pages of three 99 mm panels. Folded, the right-hand panel of the outside page is the
cover, the middle one the back, the left one the flap that opens first; the inside page
carries three panels side by side. The template only knows *panels*: each is a partial
template and its data. ``OrganisationLeaflet`` fills them with an organisation's assets,
services with opening hours and upcoming events; ``RouteLeaflet`` (``route_leaflet.py``)
fills the same six slots with a route's map and stops.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from heco.core.models import Status
from heco.heritage.models import Asset
from heco.network.models import Organisation
from heco.printing.documents.base import Document
from heco.printing.formatting import local, short_date, time_range
from heco.printing.hours import week_lines
from heco.printing.occurrences import candidate_events, event_zone, upcoming
from heco.printing.ui import translated
from heco.programme.models import Service


@dataclass
class Panel:
    template: str  # a partial under printing/leaflet/
    data: dict = field(default_factory=dict)
    css_class: str = ""


class LeafletDocument(Document):
    """Base of tri-fold leaflets: subclasses return the six panels in reading order."""

    template = "printing/leaflet.html"
    sizes = ("A4",)
    default_size = "A4"

    def panels(self) -> dict[str, Panel]:
        """Keys: cover, inside_1, inside_2, inside_3, flap, back."""
        raise NotImplementedError

    def build_context(self) -> dict:
        panels = self.panels()
        return {
            "outside": [panels["flap"], panels["back"], panels["cover"]],
            "inside": [panels["inside_1"], panels["inside_2"], panels["inside_3"]],
        }


class OrganisationLeaflet(LeafletDocument):
    kind = "leaflet"
    target_models = (Organisation,)
    target_description = _("an organisation")
    max_assets = 5
    max_services = 4
    max_events = 8

    def default_language(self):
        return self.target.community.default_language

    def panels(self) -> dict[str, Panel]:
        org = self.target
        assets = list(
            Asset.objects.filter(organisation=org, status=Status.PUBLISHED).order_by(
                "-featured", "slug"
            )[: self.max_assets]
        )
        cover_asset = next((a for a in assets if self.image_for(a)), None)
        return {
            "cover": Panel(
                "printing/leaflet/cover.html",
                {
                    "name": self.texts(org.name),
                    "kind": org.get_kind_display(),
                    "community": self.texts(org.community.name),
                    "image": self.image_for(cover_asset) if cover_asset else None,
                    "intro": self.texts(org.description),
                },
                "cover",
            ),
            "inside_1": Panel(
                "printing/leaflet/assets.html",
                {"assets": [self._asset(a) for a in assets]},
            ),
            "inside_2": Panel("printing/leaflet/services.html", {"services": self._services()}),
            "inside_3": Panel("printing/leaflet/events.html", {"events": self._events()}),
            "flap": Panel("printing/leaflet/about.html", {"about": self.texts(org.description)}),
            "back": Panel(
                "printing/leaflet/contact.html",
                {
                    "organisation": org,
                    "name": self.texts(org.name),
                    "networks": [self.texts(n.name) for n in org.networks.all()[:3]],
                    "qr": self.qr(org, "leaflet"),
                },
                "back",
            ),
        }

    def _asset(self, asset) -> dict:
        return {
            "title": self.texts(asset.title),
            "kind": asset.get_kind_display(),
            "dating": asset.dating,
            "summary": self.text(asset.summary),
            "address": asset.address,
        }

    def _services(self) -> list[dict]:
        org = self.target
        closed = translated("closed", self.lang)
        services = Service.objects.filter(organisation=org, status=Status.PUBLISHED).select_related(
            "asset"
        )[: self.max_services]
        out = []
        for service in services:
            out.append(
                {
                    "name": self.texts(service.name),
                    "kind": service.get_kind_display(),
                    "at": self.text(service.asset.title) if service.asset_id else None,
                    "lines": week_lines(
                        service.opening_hours, org.community.country, self.lang, closed, self.now
                    )
                    if service.opening_hours
                    else [],
                    "raw": service.opening_hours,
                    "prices": self.text(service.prices),
                    "booking": service.booking_contact,
                }
            )
        return out

    def _events(self) -> list[dict]:
        from django.db.models import Q

        org = self.target
        start, end = self.now, self.now + dt.timedelta(days=120)
        events = (
            candidate_events(start, end)
            .filter(Q(organisation=org) | Q(venue=org) | Q(asset__organisation=org))
            .select_related("asset")
            .distinct()
        )
        out = []
        for occurrence in upcoming(events, start, end, limit=self.max_events):
            zone = event_zone(occurrence.event)
            begin = local(occurrence.start, zone)
            finish = local(occurrence.end, zone) if occurrence.end else None
            out.append(
                {
                    "date": short_date(begin.date(), self.lang),
                    "time": time_range(begin, finish, self.lang, all_day=occurrence.event.all_day),
                    "title": self.texts(occurrence.event.title),
                    "place": self.text(occurrence.event.asset.title)
                    if occurrence.event.asset_id
                    else None,
                }
            )
        return out
