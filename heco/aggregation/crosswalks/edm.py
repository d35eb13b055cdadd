"""Asset -> Europeana Data Model (external/provider schema) as RDF/XML.

One ``rdf:RDF`` per asset with exactly one ``edm:ProvidedCHO``, one ``ore:Aggregation``, an
``edm:WebResource`` per media item and, when we know them, an ``edm:Place`` (WGS84) and an
``edm:TimeSpan``. Element order follows the XSD sequences in ``../shared/schemas/edm``.
"""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings
from django.utils import translation
from lxml import etree

from heco.heritage.models import Asset, Media

from . import common
from .namespaces import DC, DCTERMS, EDM, EDM_NSMAP, ORE, OWL, RDF, SKOS, WGS84, XML_LANG, q

RDF_ABOUT = q(RDF, "about")
RDF_RESOURCE = q(RDF, "resource")


def _sub(parent, ns: str, name: str, text: str | None = None, lang: str | None = None, **attrs):
    el = etree.SubElement(parent, q(ns, name))
    if text is not None:
        el.text = common.xml_text(text)
    if lang:
        el.set(XML_LANG, lang)
    for key, value in attrs.items():
        el.set(key, value)
    return el


def _resource(parent, ns: str, name: str, uri: str):
    return _sub(parent, ns, name, **{RDF_RESOURCE: uri})


def _literals(parent, ns: str, name: str, value: dict | None):
    for lang, text in common.language_map(value).items():
        _sub(parent, ns, name, text, lang=lang)


def kind_labels(asset: Asset) -> dict[str, str]:
    """The kind's label in every interface language that has a translation (English always)."""
    return dict(_kind_labels(asset.kind))


@lru_cache(maxsize=64)
def _kind_labels(kind: str) -> tuple[tuple[str, str], ...]:
    choices = dict(Asset.Kind.choices)
    if kind not in choices:
        return (("en", kind),)
    with translation.override("en"):
        english = str(choices[kind])
    labels = [("en", english)]
    for code in settings.LANGUAGE_CODES:
        if code == "en":
            continue
        with translation.override(code):
            label = str(choices[kind])
        if label and label != english:
            labels.append((code, label))
    return tuple(labels)


def timespan_label(asset: Asset) -> str:
    if asset.dating:
        return asset.dating
    if asset.start_year is not None and asset.end_year not in (None, asset.start_year):
        return f"{asset.start_year}/{asset.end_year}"
    return str(asset.start_year) if asset.start_year is not None else ""


def has_place(asset: Asset) -> bool:
    return asset.lat is not None and asset.lon is not None


def build_rdf(asset: Asset, ctx: common.CrosswalkContext | None = None) -> etree._Element:
    """The ``rdf:RDF`` element of one EDM record."""
    ctx = ctx or common.CrosswalkContext()
    media: list[Media] = list(asset.media.all())
    rdf = etree.Element(q(RDF, "RDF"), nsmap=EDM_NSMAP)
    cho_type = common.edm_type(asset)

    # --- edm:ProvidedCHO: the heritage asset itself --------------------------------------
    cho = _sub(rdf, EDM, "ProvidedCHO", **{RDF_ABOUT: common.resource_uri(asset)})
    _literals(cho, DC, "title", asset.title)
    _literals(cho, DC, "description", asset.description)
    if common.language_map(asset.summary) != common.language_map(asset.description):
        _literals(cho, DC, "description", asset.summary)
    if len(cho) == 0:  # no usable title or description: Europeana needs one, use the slug
        _sub(cho, DC, "title", asset.slug)
    for lang, label in kind_labels(asset).items():
        _sub(cho, DC, "type", label, lang=lang)
    _sub(cho, DC, "identifier", str(asset.pk))
    for identifier in asset.identifiers.all():
        _sub(cho, DC, "identifier", identifier.value)
    if cho_type == "TEXT":  # Europeana: dc:language is mandatory for TEXT objects
        _sub(cho, DC, "language", (asset.community.default_language or "en").split("-")[0])
    for tag in asset.tags or []:
        if isinstance(tag, str) and tag.strip():
            _sub(cho, DC, "subject", tag.strip())
    if asset.dating:
        _sub(cho, DCTERMS, "created", asset.dating)
    if has_place(asset):
        _resource(cho, DCTERMS, "spatial", common.place_uri(asset))
    if asset.address:
        _sub(cho, DCTERMS, "spatial", asset.address)
    _literals(cho, DCTERMS, "spatial", asset.community.name)
    if timespan_label(asset):
        _resource(cho, DCTERMS, "temporal", common.timespan_uri(asset))
    _sub(cho, EDM, "type", cho_type)
    for uri in common.wikidata_uris(asset):
        _resource(cho, OWL, "sameAs", uri)

    # --- edm:WebResource: one per media item ------------------------------------------------
    for item in media:
        url = common.media_file_url(item)
        if not url:
            continue
        web = _sub(rdf, EDM, "WebResource", **{RDF_ABOUT: url})
        _literals(web, DC, "description", item.caption or item.alt_text)
        _sub(web, DC, "format", common.media_mime_type(item))
        if item.credit:
            _sub(web, DC, "rights", item.credit)
        _resource(web, EDM, "rights", common.media_rights(item))

    # --- contextual classes ---------------------------------------------------------------
    if has_place(asset):
        place = _sub(rdf, EDM, "Place", **{RDF_ABOUT: common.place_uri(asset)})
        _sub(place, WGS84, "lat", _coordinate(asset.lat))
        _sub(place, WGS84, "long", _coordinate(asset.lon))
        _literals(place, SKOS, "prefLabel", asset.community.name)
        if asset.address:
            _sub(place, SKOS, "note", asset.address)
    label = timespan_label(asset)
    if label:
        span = _sub(rdf, EDM, "TimeSpan", **{RDF_ABOUT: common.timespan_uri(asset)})
        _sub(span, SKOS, "prefLabel", label)
        if asset.start_year is not None:
            _sub(span, EDM, "begin", str(asset.start_year))
        if asset.end_year is not None:
            _sub(span, EDM, "end", str(asset.end_year))

    # --- ore:Aggregation: who provides it, where it is shown, under which rights -------------
    agg = _sub(rdf, ORE, "Aggregation", **{RDF_ABOUT: common.aggregation_uri(asset)})
    _resource(agg, EDM, "aggregatedCHO", common.resource_uri(asset))
    _sub(agg, EDM, "dataProvider", common.name_of(asset.organisation))
    images = [m for m in media if m.kind == Media.Kind.IMAGE and m.file]
    shown_by = images[0] if images else None
    for item in media:
        url = common.media_file_url(item)
        if item is not shown_by and url:
            _resource(agg, EDM, "hasView", url)
    _resource(agg, EDM, "isShownAt", common.public_page_url(asset))
    if shown_by is not None:
        _resource(agg, EDM, "isShownBy", common.media_file_url(shown_by))
        _resource(agg, EDM, "object", common.media_display_url(shown_by, common.THUMBNAIL_SIZE))
    _sub(agg, EDM, "provider", ctx.provider_name)
    if media and media[0].credit:
        _sub(agg, DC, "rights", media[0].credit)
    _resource(agg, EDM, "rights", common.record_rights(asset))
    return rdf


def _coordinate(value: float) -> str:
    return f"{value:.6f}".rstrip("0").rstrip(".")


def to_bytes(asset: Asset, ctx: common.CrosswalkContext | None = None) -> bytes:
    return etree.tostring(build_rdf(asset, ctx), xml_declaration=True, encoding="UTF-8")
