"""An on-site information panel for one heritage asset, with a QR code to its page."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from heco.core.models import Status
from heco.heritage.models import Asset
from heco.printing.documents.base import Document
from heco.printing.hours import week_lines
from heco.printing.ui import translated
from heco.programme.models import Service


class PanelDocument(Document):
    kind = "panel"
    template = "printing/panel.html"
    target_models = (Asset,)
    target_description = _("a heritage asset")
    sizes = ("A3", "A4")
    default_size = "A3"
    bleed = True

    def default_language(self):
        return self.target.community.default_language

    def build_context(self) -> dict:
        asset = self.target
        services = Service.objects.filter(asset=asset, status=Status.PUBLISHED).select_related(
            "organisation__community"
        )[:3]
        closed = translated("closed", self.lang)
        hours = []
        for service in services:
            hours.append(
                {
                    "name": self.texts(service.name),
                    "lines": week_lines(
                        service.opening_hours,
                        service.organisation.community.country,
                        self.lang,
                        closed,
                        self.now,
                    )
                    if service.opening_hours
                    else [],
                    "raw": service.opening_hours,
                }
            )
        body = asset.description if any((asset.description or {}).values()) else asset.summary
        limit = 1100 if self.lang2 else 2200
        if self.size == "A4":
            limit = int(limit * 0.55)
        return {
            "asset": asset,
            "title": self.texts(asset.title),
            "summary": self.texts(asset.summary) if body is not asset.summary else [],
            "body": self.texts(body),
            "body_limit": limit,
            "kind_label": asset.get_kind_display(),
            "designation": self.texts(asset.designation),
            "organisation": self.texts(asset.organisation.name),
            "community": self.texts(asset.community.name),
            "hours": hours,
            "image": self.image_for(asset),
            "qr": self.qr(asset, "panel"),
        }
