"""Printed document kinds and how a print request finds its record.

A kind may print more than one sort of record: a leaflet is made for an organisation or for
a route, each by its own ``Document`` subclass. ``KINDS`` lists, per kind, those classes;
``document_for`` picks the one whose ``target_models`` the record belongs to.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from heco.printing.documents.base import Document, PrintError
from heco.printing.documents.labels import LabelsDocument
from heco.printing.documents.leaflet import OrganisationLeaflet
from heco.printing.documents.panel import PanelDocument
from heco.printing.documents.poster import PosterDocument
from heco.printing.documents.programme import ProgrammeDocument
from heco.printing.documents.route_leaflet import RouteLeaflet
from heco.printing.selectors import find_any, find_by_id_or_slug

KINDS: dict[str, tuple[type[Document], ...]] = {
    "poster": (PosterDocument,),
    "leaflet": (OrganisationLeaflet, RouteLeaflet),
    "panel": (PanelDocument,),
    "labels": (LabelsDocument,),
    "programme": (ProgrammeDocument,),
}

__all__ = ["KINDS", "Document", "PrintError", "build_document", "document_for", "find_target"]


# what a kind that prints several sorts of record needs, for error messages
TARGET_DESCRIPTIONS = {"leaflet": gettext_lazy("an organisation or a route")}


def target_description(kind: str) -> str:
    return str(TARGET_DESCRIPTIONS.get(kind) or KINDS[kind][0].target_description)


def find_target(kind: str, ident: str):
    """The record ``ident`` (UUID or slug) names, checked against what ``kind`` prints."""
    if kind not in KINDS:
        raise PrintError(
            _("Unknown print kind “%(kind)s”; choose one of %(kinds)s.")
            % {"kind": kind, "kinds": ", ".join(KINDS)}
        )
    for document in KINDS[kind]:
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
                "needed": target_description(kind),
            }
        )
    raise PrintError(
        _("Nothing with the id or slug “%(id)s” was found for a %(kind)s (%(needed)s).")
        % {"id": ident, "kind": kind, "needed": target_description(kind)}
    )


def document_for(kind: str, target, **options) -> Document:
    """The ``kind`` document for ``target`` (options: lang, lang2, size, month, now)."""
    for document in KINDS[kind]:
        if isinstance(target, document.target_models):
            return document(target, **options)
    raise PrintError(
        _("A %(kind)s needs %(needed)s.") % {"kind": kind, "needed": target_description(kind)}
    )


def build_document(kind: str, ident: str, **options) -> Document:
    return document_for(kind, find_target(kind, ident), **options)
