"""Asset -> unqualified Dublin Core (``oai_dc``), language-tagged where we hold languages."""

from __future__ import annotations

from lxml import etree

from heco.heritage.models import Asset

from . import common
from .edm import kind_labels
from .namespaces import DC, OAI_DC, OAI_DC_SCHEMA, XML_LANG, XSI, q

NSMAP = {"oai_dc": OAI_DC, "dc": DC, "xsi": XSI}


def dc_element(parent, name: str, text: str, lang: str | None = None):
    el = etree.SubElement(parent, q(DC, name))
    el.text = common.xml_text(text)
    if lang:
        el.set(XML_LANG, lang)
    return el


def build_dc(asset: Asset, ctx: common.CrosswalkContext | None = None) -> etree._Element:
    root = etree.Element(q(OAI_DC, "dc"), nsmap=NSMAP)
    root.set(q(XSI, "schemaLocation"), f"{OAI_DC} {OAI_DC_SCHEMA}")
    for lang, text in common.language_map(asset.title).items():
        dc_element(root, "title", text, lang)
    for tag in asset.tags or []:
        if isinstance(tag, str) and tag.strip():
            dc_element(root, "subject", tag.strip())
    for lang, text in common.language_map(asset.description).items():
        dc_element(root, "description", text, lang)
    if common.language_map(asset.summary) != common.language_map(asset.description):
        for lang, text in common.language_map(asset.summary).items():
            dc_element(root, "description", text, lang)
    for lang, text in common.language_map(asset.organisation.name).items():
        dc_element(root, "publisher", text, lang)
    if asset.dating:
        dc_element(root, "date", asset.dating)
    for lang, label in kind_labels(asset).items():
        dc_element(root, "type", label, lang)
    media = list(asset.media.all())
    if media:
        dc_element(root, "format", common.media_mime_type(media[0]))
    dc_element(root, "identifier", common.public_page_url(asset))
    dc_element(root, "identifier", f"urn:uuid:{asset.pk}")
    for identifier in asset.identifiers.all():
        dc_element(root, "identifier", identifier.value)
    for uri in common.wikidata_uris(asset):
        dc_element(root, "relation", uri)
    if asset.address:
        dc_element(root, "coverage", asset.address)
    for lang, text in common.language_map(asset.community.name).items():
        dc_element(root, "coverage", text, lang)
    if asset.lat is not None and asset.lon is not None:
        dc_element(root, "coverage", f"{asset.lat:.6f}, {asset.lon:.6f}")
    dc_element(root, "rights", common.record_rights(asset))
    if media and media[0].credit:
        dc_element(root, "rights", media[0].credit)
    return root
