"""Printed document kinds and how a print request finds its record."""

from __future__ import annotations

from django.utils.translation import gettext as _

from heco.printing.documents.base import Document, PrintError
from heco.printing.documents.labels import LabelsDocument
from heco.printing.documents.leaflet import OrganisationLeaflet
from heco.printing.documents.panel import PanelDocument
from heco.printing.documents.poster import PosterDocument
from heco.printing.documents.programme import ProgrammeDocument
from heco.printing.selectors import find_any, find_by_id_or_slug

KINDS: dict[str, type[Document]] = {
    "poster": PosterDocument,
    "leaflet": OrganisationLeaflet,
    "panel": PanelDocument,
    "labels": LabelsDocument,
    "programme": ProgrammeDocument,
}

__all__ = ["KINDS", "Document", "PrintError", "build_document", "find_target"]


def find_target(kind: str, ident: str):
    """The record ``ident`` (UUID or slug) names, checked against what ``kind`` prints."""
    if kind not in KINDS:
        raise PrintError(
            _("Unknown print kind “%(kind)s”; choose one of %(kinds)s.")
            % {"kind": kind, "kinds": ", ".join(KINDS)}
        )
    document = KINDS[kind]
    for model in document.target_models:
        found = find_by_id_or_slug(model, ident)
        if found is not None:
            return found
    other = find_any(ident)
    if other is not None:
        raise PrintError(
            _("“%(id)s” is a %(found)s; a %(kind)s needs %(needed)s.")
            % {
                "id": ident,
                "found": other._meta.verbose_name,
                "kind": kind,
                "needed": document.target_description,
            }
        )
    raise PrintError(
        _("Nothing with the id or slug “%(id)s” was found for a %(kind)s (%(needed)s).")
        % {"id": ident, "kind": kind, "needed": document.target_description}
    )


def build_document(kind: str, ident: str, **options) -> Document:
    target = find_target(kind, ident)
    return KINDS[kind](target, **options)
