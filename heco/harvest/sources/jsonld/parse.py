"""schema.org JSON-LD blocks (<script type="application/ld+json">) of web pages to records.

Places (Place, LandmarksOrHistoricalBuildings, Museum, TouristAttraction…) become assets,
Events (and their subtypes) become events. An item's ``image`` (a URL, an ImageObject or a
list of them: the first) is kept as ``links["image"]``, resolved against the page URL, for
``heco.harvest.images``.
"""

from __future__ import annotations

import datetime as dt
import html as htmllib
import json
import re
from urllib.parse import urljoin
from zoneinfo import ZoneInfo

from dateutil.parser import isoparse
from lxml import etree, html

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

# schema.org Event subtypes whose names do not end in "Event"
OTHER_EVENT_TYPES = {"Festival", "Hackathon"}

# what CMS templates wrap JSON-LD in: an HTML comment, a (commented) CDATA section
_WRAPPING = re.compile(r"^\s*(?://\s*)?(?:<!--|<!\[CDATA\[)|(?://\s*)?(?:-->|\]\]>)\s*$")


class BlockError(str):
    """A JSON-LD block that is not JSON: the reason."""


def _document(data: bytes):
    """The page as an lxml tree: UTF-8 unless the page says otherwise (lxml alone reads a
    page without ``<meta charset>`` as Latin-1)."""
    try:
        return html.fromstring(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):  # another charset, or an XML declaration
        return html.fromstring(data)


def blocks(data: bytes) -> list:
    """The JSON-LD blocks of a page: parsed values, or a BlockError for a broken block. A
    page that is JSON (``application/ld+json`` served as is) is one block. A page without
    any block (an error or login page, not HTML at all) is SourceUnavailable: it must not
    make the items of the page look deleted."""
    if data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"{", b"["):
        try:
            return [json.loads(data)]
        except ValueError:
            pass  # not JSON after all: read it as HTML
    try:
        document = _document(data)
    except (ValueError, TypeError, etree.LxmlError) as exc:
        raise SourceUnavailable(f"unreadable page: {exc}")
    out = []
    for script in document.iter("script"):
        kind = (script.get("type") or "").split(";")[0].strip().lower()
        if kind != "application/ld+json":
            continue
        text = _WRAPPING.sub("", (script.text or "").strip())
        try:
            out.append(json.loads(text))
        except ValueError as exc:
            out.append(BlockError(f"malformed JSON-LD block: {exc}"))
    if not out:
        raise SourceUnavailable("no JSON-LD on the page")
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
    """Texts by language; HTML entities decoded (``Caf&eacute;``: CMS plugins send them)."""
    if isinstance(value, str):
        return {language: htmllib.unescape(value)}
    if isinstance(value, dict) and "@value" in value:
        return {value.get("@language", language): htmllib.unescape(str(value["@value"]))}
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


def _first(value):
    """The first of a list (schema.org allows several values anywhere), else the value."""
    return next(iter(value), None) if isinstance(value, list) else value


def _coordinate(value):
    """A latitude or longitude: a number, or text with a decimal point or comma."""
    if isinstance(value, str):
        value = value.strip().replace(",", ".")
    return float(value) if value not in (None, "") else None


def _geo(item) -> tuple:
    geo = _first(item.get("geo"))
    if isinstance(geo, dict):
        return _coordinate(geo.get("latitude")), _coordinate(geo.get("longitude"))
    return None, None


def _location(value) -> str:
    """An event's place as text: the name of a Place (or its address), or the text sent."""
    value = _first(value)
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, dict):
        name = next(iter(_langmap(value.get("name"), "").values()), "")
        return name or _address(value.get("address"))
    return ""


_DATE_ONLY = re.compile(r"\d{4}-?\d{2}-?\d{2}")


def _date_only(value) -> bool:
    """An ISO 8601 date without a time ("2027-05-01"): a whole day."""
    return _DATE_ONLY.fullmatch(str(_first(value)).strip()) is not None


def _moment(value, zone: str, *, end: bool = False) -> dt.datetime:
    """An ISO 8601 date or date-time; without an offset it is local time in ``zone``. A date
    alone is the start of that day, or for an end the end of it (schema.org's ``endDate``
    names the last day)."""
    text = str(_first(value)).strip()
    moment = isoparse(text)
    if end and _date_only(text):
        moment += dt.timedelta(days=1)
    return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo(zone))


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


def parse_page(data: bytes, page_url: str, zone: str = "UTC") -> list[HarvestedRecord]:
    """The items of a page; ``zone`` is where event times without an offset are."""
    records = []
    for index, block in enumerate(blocks(data)):
        if isinstance(block, BlockError):
            records.append(HarvestedRecord(identifier=f"{page_url}#block-{index}", error=block))
            continue
        for position, (item, language) in enumerate(_items(block)):
            record = item_record(
                item, language, f"{page_url}#{index}-{position}", page_url=page_url, zone=zone
            )
            if record is not None:
                records.append(record)
    return records


def item_record(
    item: dict, language: str, fallback_id: str, *, page_url: str = "", zone: str = "UTC"
) -> HarvestedRecord | None:
    types = _types(item)
    is_event = any(t.endswith("Event") or t in OTHER_EVENT_TYPES for t in types)
    place_kinds = [PLACE_KINDS[t] for t in types if t in PLACE_KINDS]
    if not is_event and not place_kinds:
        return None
    url = _first(item.get("url"))
    url = urljoin(page_url, url) if isinstance(url, str) and url else ""
    # a relative @id ("#museum") names the item on its page, not everywhere
    identifier = urljoin(page_url, str(item.get("@id") or "")) if item.get("@id") else ""
    identifier = identifier or url or fallback_id
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
    if _first(item.get("license")):
        fields["rights"] = str(_first(item["license"]))
    if url:
        fields["url"] = url
    image = _image(item.get("image"))
    if image:
        fields["links"] = {"image": urljoin(page_url, image) if page_url else image}
    try:
        if is_event:
            record.target = "event"
            fields["timezone"] = zone
            if item.get("startDate"):
                fields["start"] = _moment(item["startDate"], zone)
            if item.get("endDate"):
                fields["end"] = _moment(item["endDate"], zone, end=True)
            # dates without times: an all-day event (of one day when there is no endDate),
            # stored as heco.programme.dates says: from the midnight that starts the first day
            # to the one after the last day (``_moment`` reads a date-only endDate that way)
            if "start" in fields and _date_only(item["startDate"]):
                if not item.get("endDate") or _date_only(item["endDate"]):
                    fields["all_day"] = True
                    fields.setdefault("end", _moment(item["startDate"], zone, end=True))
            location = _location(item.get("location"))
            if location:
                fields["location"] = location
        else:
            fields["kind"] = next((k for k in place_kinds if k), "")
            lat, lon = _geo(item)
            if lat is not None and lon is not None:
                fields["lat"], fields["lon"] = lat, lon
            address = _address(_first(item.get("address")))
            if address:
                fields["address"] = address
    except (ValueError, TypeError) as exc:
        record.error = f"malformed item: {exc}"
    record.fields = fields
    return record
