"""schema.org JSON-LD blocks (<script type="application/ld+json">) of web pages to records.

Places (Place, LandmarksOrHistoricalBuildings, Museum, TouristAttraction…) become assets,
Events (and their subtypes) become events. An item's ``image`` (a URL, an ImageObject or a
list of them: the first) is kept as ``links["image"]``, resolved against the page URL, for
``heco.harvest.images``.
"""

from __future__ import annotations

import json
from urllib.parse import urljoin

from dateutil.parser import isoparse
from lxml import html

from heco.harvest.sources.base import HarvestedRecord, SourceUnavailable
from heco.harvest.sources.fields import identifiers_from

PLACE_KINDS = {
    "LandmarksOrHistoricalBuildings": "building",
    "Museum": "building",
    "Church": "building",
    "PlaceOfWorship": "building",
    "Castle": "building",
    "Library": "building",
    "TouristAttraction": "",
    "Place": "",
    "CivicStructure": "building",
    "Park": "landscape",
    "Monument": "monument",
    "ArchaeologicalSite": "archaeological-site",
}


def blocks(data: bytes) -> list:
    """The JSON-LD blocks of a page: parsed values, or an error string for a broken block."""
    try:
        document = html.fromstring(data)
    except (ValueError, TypeError) as exc:
        raise SourceUnavailable(f"unreadable page: {exc}")
    out = []
    for script in document.xpath('//script[@type="application/ld+json"]'):
        text = script.text or ""
        try:
            out.append(json.loads(text))
        except ValueError as exc:
            out.append(f"malformed JSON-LD block: {exc}")
    return out


def _items(value, language: str = ""):
    if isinstance(value, list):
        for item in value:
            yield from _items(item, language)
    elif isinstance(value, dict):
        context = value.get("@context")
        if isinstance(context, dict) and context.get("@language"):
            language = context["@language"]
        if "@graph" in value:
            yield from _items(value["@graph"], language)
        if "@type" in value:
            yield (
                value,
                value.get("inLanguage") if isinstance(value.get("inLanguage"), str) else language,
            )


def _types(item) -> list[str]:
    types = item.get("@type")
    types = types if isinstance(types, list) else [types]
    return [str(t).rsplit("/", 1)[-1].rsplit(":", 1)[-1] for t in types if t]


def _langmap(value, language: str) -> dict:
    if isinstance(value, str):
        return {language: value}
    if isinstance(value, dict) and "@value" in value:
        return {value.get("@language", language): str(value["@value"])}
    if isinstance(value, list):
        out: dict = {}
        for item in value:
            for key, text in _langmap(item, language).items():
                out.setdefault(key, text)
        return out
    return {}


def _address(value) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        parts = [
            value.get(k)
            for k in ("streetAddress", "postalCode", "addressLocality", "addressCountry")
        ]
        return ", ".join(str(p) for p in parts if p and isinstance(p, str))
    return ""


def _geo(item) -> tuple:
    geo = item.get("geo")
    if isinstance(geo, dict):
        return geo.get("latitude"), geo.get("longitude")
    return None, None


def _image(value) -> str:
    """The URL of schema.org ``image``: a URL, an ImageObject (contentUrl, url, @id) or a list
    of those (the first that has one)."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, dict):
        for key in ("contentUrl", "url", "@id"):
            found = _image(value.get(key))
            if found:
                return found
    if isinstance(value, list):
        for item in value:
            found = _image(item)
            if found:
                return found
    return ""


def parse_page(data: bytes, page_url: str) -> list[HarvestedRecord]:
    records = []
    for index, block in enumerate(blocks(data)):
        if isinstance(block, str):
            records.append(HarvestedRecord(identifier=f"{page_url}#block-{index}", error=block))
            continue
        for position, (item, language) in enumerate(_items(block)):
            record = item_record(
                item, language, f"{page_url}#{index}-{position}", page_url=page_url
            )
            if record is not None:
                records.append(record)
    return records


def item_record(
    item: dict, language: str, fallback_id: str, *, page_url: str = ""
) -> HarvestedRecord | None:
    types = _types(item)
    is_event = any(t.endswith("Event") for t in types)
    place_kinds = [PLACE_KINDS[t] for t in types if t in PLACE_KINDS]
    if not is_event and not place_kinds:
        return None
    identifier = str(item.get("@id") or item.get("url") or fallback_id)
    raw = json.dumps(item, ensure_ascii=False)
    record = HarvestedRecord(identifier=identifier, raw=raw)
    fields: dict = {"title": _langmap(item.get("name"), language)}
    description = _langmap(item.get("description"), language)
    if description:
        fields["description"] = description
    same_as = item.get("sameAs") or []
    same_as = same_as if isinstance(same_as, list) else [same_as]
    ids = identifiers_from([str(v) for v in same_as + [item.get("identifier") or ""]])
    if ids:
        fields["identifiers"] = ids
    if item.get("license"):
        fields["rights"] = str(item["license"])
    if item.get("url"):
        fields["url"] = str(item["url"])
    image = _image(item.get("image"))
    if image:
        fields["links"] = {"image": urljoin(page_url, image) if page_url else image}
    try:
        if is_event:
            record.target = "event"
            if item.get("startDate"):
                fields["start"] = isoparse(str(item["startDate"]))
            if item.get("endDate"):
                fields["end"] = isoparse(str(item["endDate"]))
            location = item.get("location")
            if isinstance(location, dict):
                fields["location"] = location.get("name") or _address(location.get("address"))
        else:
            fields["kind"] = next((k for k in place_kinds if k), "")
            lat, lon = _geo(item)
            if lat is not None and lon is not None:
                fields["lat"], fields["lon"] = float(lat), float(lon)
            address = _address(item.get("address"))
            if address:
                fields["address"] = address
    except (ValueError, TypeError) as exc:
        record.error = f"malformed item: {exc}"
    record.fields = fields
    return record
