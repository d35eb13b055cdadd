"""A sheet of small labels (3 × 8 on A4, 70 × 37 mm) with a QR code to each asset's page.

For one asset the sheet is filled with copies; for an organisation there is one label per
published asset, as many sheets as needed.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from heco.core.models import Status
from heco.heritage.models import Asset
from heco.network.models import Organisation
from heco.printing.documents.base import Document

COLUMNS, ROWS = 3, 8
PER_SHEET = COLUMNS * ROWS


class LabelsDocument(Document):
    kind = "labels"
    template = "printing/labels.html"
    target_models = (Asset, Organisation)
    target_description = _("a heritage asset or an organisation")
    sizes = ("A4",)
    default_size = "A4"

    def default_language(self):
        return self.target.community.default_language

    def organisation_ids(self) -> set:
        if isinstance(self.target, Organisation):
            return {self.target.pk}
        return {self.target.organisation_id}

    def assets(self) -> list:
        if isinstance(self.target, Asset):
            return [self.target]
        return list(
            Asset.objects.filter(organisation=self.target, status=Status.PUBLISHED).order_by("slug")
        )

    def build_context(self) -> dict:
        labels = [
            {"title": self.texts(asset.title), "qr": self.qr(asset, "label")}
            for asset in self.assets()
        ]
        if len(labels) == 1:
            labels = labels * PER_SHEET
        sheets = [labels[i : i + PER_SHEET] for i in range(0, len(labels), PER_SHEET)]
        return {"sheets": sheets or [[]], "columns": COLUMNS, "rows": ROWS}
