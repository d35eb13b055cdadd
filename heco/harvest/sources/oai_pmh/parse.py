"""OAI-PMH responses (ListRecords, Identify) to HarvestedRecords, with lxml directly.

Metadata formats: ``oai_dc``; EDM as providers send it (descriptive metadata on
``edm:ProvidedCHO``) and as Europeana serves it (descriptive metadata on the provider's
``ore:Proxy``, enrichments on Europeana's own proxy, which we skip).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from lxml import etree

from heco.harvest.normalise import listed_rights
from heco.harvest.sources.base import HarvestedRecord, SourceUnavailable
from heco.harvest.sources.fields import identifiers_from, kind_from, parse_point

OAI = "{http://www.openarchives.org/OAI/2.0/}"
DC = "{http://purl.org/dc/elements/1.1/}"
DCTERMS = "{http://purl.org/dc/terms/}"
RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"
EDM = "{http://www.europeana.eu/schemas/edm/}"
ORE = "{http://www.openarchives.org/ore/terms/}"
WGS84 = "{http://www.w3.org/2003/01/geo/wgs84_pos#}"
OWL = "{http://www.w3.org/2002/07/owl#}"
SKOS = "{http://www.w3.org/2004/02/skos/core#}"
FOAF = "{http://xmlns.com/foaf/0.1/}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
OAI_DC_ROOT = "{http://www.openarchives.org/OAI/2.0/oai_dc/}dc"
RDF_ROOT = RDF + "RDF"
RDF_RESOURCE = RDF + "resource"
OAI_HEADER, OAI_METADATA = OAI + "header", OAI + "metadata"
OAI_IDENTIFIER, OAI_DATESTAMP = OAI + "identifier", OAI + "datestamp"

# internal entities are expanded (libxml2 refuses entity bombs), external ones never read
_PARSER = etree.XMLParser(resolve_entities="internal", no_network=True, huge_tree=False)
# control characters XML 1.0 forbids (raw or as character references): they carry nothing
_CONTROL = bytes(c for c in range(32) if c not in (9, 10, 13))
_CONTROL_REF = re.compile(
    rb"&#(?:[xX]0*(?:[0-8bBcCeEfF]|1[0-9a-fA-F])|0*(?:[0-8]|1[1-2]|1[4-9]|2[0-9]|3[01]));"
)
_RECORD = re.compile(rb"<record[\s>].*?</record\s*>", re.DOTALL)
_RECORD_IDENTIFIER = re.compile(rb"<identifier>\s*(.*?)\s*</identifier>", re.DOTALL)

# dc/dcterms element -> our literal bucket
_LITERALS = {
    DC + "title": "title",
    DCTERMS + "alternative": "alternative",
    DC + "description": "description",
    DCTERMS + "abstract": "summary",
    DC + "subject": "subject",
    DC + "type": "type",
    DC + "date": "date",
    DCTERMS + "created": "date",
    DCTERMS + "temporal": "date",
    DC + "identifier": "identifier",
    DC + "rights": "rights",
    DC + "language": "language",
    DC + "coverage": "coverage",
    DCTERMS + "spatial": "coverage",
    DC + "creator": "creator",
    DC + "publisher": "publisher",
    OWL + "sameAs": "identifier",
    EDM + "type": "edm_type",
}


@dataclass
class ListResult:
    records: list[HarvestedRecord] = field(default_factory=list)
    token: str = ""
    complete_list_size: int | None = None
    cursor: int | None = None
    error_code: str = ""
    error_message: str = ""


def parse_xml(data: bytes):
    try:
        return etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise SourceUnavailable(f"malformed XML page: {exc}")


def _without_control_characters(data: bytes) -> bytes:
    if b"\x00" in data[:4]:  # UTF-16/32: NUL bytes belong to the characters
        return data
    return _CONTROL_REF.sub(b"", data.translate(None, _CONTROL))


def _parse_page(data: bytes):
    """The page's root element, and its records when they had to be parsed one by one
    (else None). A page the parser refuses is tried again without control characters, then
    record by record: when only some records are broken, they are reported and the rest
    goes in; a page whose envelope is broken (cut off, not OAI-PMH) raises SourceUnavailable.
    """
    try:
        return parse_xml(data), None
    except SourceUnavailable as exc:
        error = exc
    cleaned = _without_control_characters(data)
    if cleaned != data:
        try:
            return parse_xml(cleaned), None
        except SourceUnavailable:
            pass
    parts = _RECORD.split(cleaned)
    if len(parts) < 2:
        raise error
    try:
        root = parse_xml(b"".join(parts))
    except SourceUnavailable:
        raise error
    prefix, suffix = parts[0], parts[-1]
    records = []
    for chunk in _RECORD.findall(cleaned):
        try:
            alone = parse_xml(prefix + chunk + suffix)
            records.append(parse_record(alone.find(OAI + "ListRecords").find(OAI + "record")))
        except (SourceUnavailable, AttributeError) as exc:
            found = _RECORD_IDENTIFIER.search(chunk)
            identifier = found.group(1).decode(errors="replace") if found else ""
            # the position would be in the record parsed alone, not in the page: left out
            reason = re.sub(r", line \d+, column \d+.*", "", str(exc), flags=re.DOTALL)
            reason = reason.removeprefix("malformed XML page: ")
            raw = chunk.decode(errors="replace")
            records.append(HarvestedRecord(identifier, error=f"malformed XML: {reason}", raw=raw))
    return root, records


def _errors(root) -> tuple[str, str]:
    error = root.find(OAI + "error")
    if error is None:
        return "", ""
    return error.get("code", ""), (error.text or "").strip()


def parse_identify(data: bytes) -> dict:
    root = parse_xml(data)
    code, message = _errors(root)
    identify = root.find(OAI + "Identify")
    if code or identify is None:
        return {"error": code or "badVerb", "message": message}
    return {
        "granularity": identify.findtext(OAI + "granularity", "YYYY-MM-DD").strip(),
        "repositoryName": identify.findtext(OAI + "repositoryName", "").strip(),
    }


def parse_datestamp(value: str | None) -> datetime | None:
    if not value:
        return None
    value = value.strip()
    try:
        if len(value) == 10:
            return datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=UTC)
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    except ValueError:
        return None


def parse_list_records(data: bytes) -> ListResult:
    """Parse one ListRecords page. A page that is not XML raises SourceUnavailable."""
    root, records = _parse_page(data)
    if root.tag != OAI + "OAI-PMH":
        raise SourceUnavailable(f"not an OAI-PMH response (root element {root.tag})")
    result = ListResult()
    result.error_code, result.error_message = _errors(root)
    if result.error_code:
        return result
    container = root.find(OAI + "ListRecords")
    if container is None:
        raise SourceUnavailable("OAI-PMH response without ListRecords")
    if records is None:
        records = [parse_record(el) for el in container.iterfind(OAI + "record")]
    result.records = records
    token_el = container.find(OAI + "resumptionToken")
    if token_el is not None:
        result.token = (token_el.text or "").strip()
        size = (token_el.get("completeListSize") or "").strip()
        cursor = (token_el.get("cursor") or "").strip()
        result.complete_list_size = int(size) if size and size.isdigit() else None
        result.cursor = int(cursor) if cursor and cursor.isdigit() else None
    return result


def parse_record(record_el) -> HarvestedRecord:
    header = record_el.find(OAI_HEADER)
    if header is None:
        return HarvestedRecord(identifier="", error="record without header", raw=_raw(record_el))
    identifier = (header.findtext(OAI_IDENTIFIER) or "").strip()
    datestamp = parse_datestamp(header.findtext(OAI_DATESTAMP))
    if header.get("status") == "deleted":
        return HarvestedRecord(identifier=identifier, datestamp=datestamp, deleted=True)
    metadata = record_el.find(OAI_METADATA)
    raw = _raw(metadata) if metadata is not None else _raw(record_el)
    record = HarvestedRecord(identifier=identifier, datestamp=datestamp, raw=raw)
    if not identifier:
        record.error = "no identifier"
        return record
    body = None if metadata is None else next(iter(metadata), None)
    if body is None:
        record.error = "no metadata"
        return record
    try:
        tag = body.tag
        if tag == OAI_DC_ROOT:
            record.fields = dc_fields(body)
        elif tag == RDF_ROOT:
            record.fields = edm_fields(body)
        else:
            record.error = f"unsupported metadata format {tag}"
    except (ValueError, TypeError) as exc:
        record.error = f"malformed record: {exc}"
    return record


def _raw(element) -> str:
    return etree.tostring(element, encoding="unicode")


def _inherited_lang(element) -> str:
    """The xml:lang in force on ``element`` (set on it or on an ancestor), or ""."""
    while element is not None:
        lang = element.get(XML_LANG)
        if lang is not None:
            return lang
        element = element.getparent()
    return ""


# buckets of text for people: a URI there is no value unless the record labels it
_TEXT_BUCKETS = {"title", "alternative", "description", "summary", "subject", "date"}


def _collect(element, literals: dict, labels: dict | None = None) -> None:
    """Add the dc/dcterms children of ``element`` to ``literals`` {bucket: [(text, lang)]}.
    A value given as ``rdf:resource`` takes its entity's label from ``labels`` (EDM)."""
    buckets = _LITERALS
    inherited = _inherited_lang(element)
    for child in element:
        bucket = buckets.get(child.tag)
        if bucket is None:
            continue
        # itertext: the text around a comment or an entity too
        text = child.text if len(child) == 0 else "".join(child.itertext())
        text = text.strip() if text else ""
        if not text:
            text = child.get(RDF_RESOURCE, "").strip()
            if text and labels and text in labels:
                text = labels[text]
            elif bucket in _TEXT_BUCKETS:
                continue
            if not text:
                continue
        found = literals.get(bucket)
        if found is None:
            found = literals[bucket] = []
        found.append((text, child.get(XML_LANG, inherited)))


_NUMBER = r"(\d+(?:\.\d+)?)"
# 55.9116°N, 55°54′42″N, 33.86 S: degrees, optional minutes and seconds, hemisphere
_HEMISPHERE = re.compile(
    rf"{_NUMBER}\s*°?\s*(?:{_NUMBER}\s*['′’]\s*)?(?:{_NUMBER}\s*(?:[\"″”]|'')\s*)?([NSEW])\b"
)
_ISO6709 = re.compile(r"^([+-]\d{2}(?:\.\d+)?)([+-]\d{3}(?:\.\d+)?)")
_SPACED = re.compile(r"^\s*(-?\d+\.\d+)\s+(-?\d+\.\d+)\s*$")
_DCMI = re.compile(r"\b(north|east)\s*=\s*(-?\d+(?:\.\d+)?)")


def point_from(text: str) -> tuple[float, float] | None:
    """(lat, lon) from a coverage as registers write it: what ``parse_point`` reads (WKT,
    "lat, lon", DCMI Point), "lat lon", degree signs, hemisphere letters, degrees minutes
    seconds, ISO 6709 ("+55.9116+021.8447/") and DCMI Point in any order."""
    text = text.strip()
    point = parse_point(text.replace("°", ""))
    if point:
        return point
    dcmi = dict(_DCMI.findall(text))
    if "north" in dcmi and "east" in dcmi:
        return float(dcmi["north"]), float(dcmi["east"])
    match = _ISO6709.match(text) or _SPACED.match(text)
    if match:
        return float(match.group(1)), float(match.group(2))
    found = {}
    for degrees, minutes, seconds, hemisphere in _HEMISPHERE.findall(text):
        value = float(degrees) + float(minutes or 0) / 60 + float(seconds or 0) / 3600
        axis = "lat" if hemisphere in "NS" else "lon"
        found.setdefault(axis, -value if hemisphere in "SW" else value)
    if len(found) == 2:
        return found["lat"], found["lon"]
    return None


def _number(text: str | None) -> float | None:
    try:
        return float(text.strip().replace(",", "."))
    except (AttributeError, ValueError):
        return None


def dc_fields(dc) -> dict:
    literals: dict = {}
    _collect(dc, literals)
    fields = literal_fields(literals)
    for text, _lang in literals.get("coverage", []):
        point = point_from(text)
        if point:
            fields["lat"], fields["lon"] = point
            break
    return fields


_ENTITIES = (
    SKOS + "Concept",
    EDM + "TimeSpan",
    EDM + "Agent",
    EDM + "Place",
    FOAF + "Organization",
)


def _labels(rdf) -> dict:
    """{URI: label} of the record's contextual entities (concepts, time spans, agents,
    places, organisations): their first skos:prefLabel."""
    labels = {}
    for entity in rdf.iterchildren(*_ENTITIES):
        label = (entity.findtext(SKOS + "prefLabel") or "").strip()
        if label and entity.get(RDF + "about"):
            labels.setdefault(entity.get(RDF + "about"), label)
    return labels


def edm_fields(rdf) -> dict:
    literals: dict = {}
    labels = _labels(rdf)
    described = list(rdf.iterfind(EDM + "ProvidedCHO")) + [
        proxy
        for proxy in rdf.iterfind(ORE + "Proxy")
        # not Europeana's own enrichment proxy
        if (proxy.findtext(EDM + "europeanaProxy") or "").strip().lower() != "true"
    ]
    for element in described:
        _collect(element, literals, labels)
    fields = literal_fields(literals)
    links = fields.setdefault("links", {})
    edm_rights = ""  # the rights statement; dc:rights (the holder, a note) only without it
    for aggregation in rdf.iterfind(ORE + "Aggregation"):
        rights = aggregation.find(EDM + "rights")
        if rights is not None and not edm_rights:
            edm_rights = rights.get(RDF_RESOURCE, "").strip() or (rights.text or "").strip()
            if edm_rights:
                fields["rights"] = edm_rights
        for name in ("isShownAt", "isShownBy", "object"):
            el = aggregation.find(EDM + name)
            value = (
                "" if el is None else el.get(RDF_RESOURCE, "").strip() or (el.text or "").strip()
            )
            if value:
                links.setdefault(name, value)
        for name, key in (("dataProvider", "data_provider"), ("provider", "provider")):
            el = aggregation.find(EDM + name)
            if el is not None:
                value = (el.text or "").strip() or el.get(RDF_RESOURCE, "")
                value = labels.get(value, value)  # an organisation described in the record
                if value:
                    fields.setdefault(key, value)
    # the place the provider names (not one of Europeana's enrichments), else the first
    named = {
        place.get(RDF_RESOURCE)
        for element in described
        for place in element.iterchildren(DC + "coverage", DCTERMS + "spatial")
    }
    places = sorted(rdf.iterfind(EDM + "Place"), key=lambda p: p.get(RDF + "about") not in named)
    for place in places:
        lat, lon = _number(place.findtext(WGS84 + "lat")), _number(place.findtext(WGS84 + "long"))
        if lat is not None and lon is not None:
            fields["lat"], fields["lon"] = lat, lon
            label = place.findtext(SKOS + "prefLabel")
            if label:
                fields.setdefault("address", label.strip())
            break
    else:
        for text, _lang in literals.get("coverage", []):
            point = point_from(text)
            if point:
                fields["lat"], fields["lon"] = point
                break
    if not links:
        fields.pop("links")
    return fields


def _langmap(pairs, joiner: str | None = None) -> dict:
    out: dict = {}
    for text, lang in pairs:
        if lang in out:
            if joiner:
                out[lang] = out[lang] + joiner + text
            continue
        out[lang] = text
    return out


def literal_fields(literals: dict) -> dict:
    """Field values from collected literals. Language keys are as sent ("" = untagged)."""
    fields: dict = {}
    if "title" in literals:
        fields["title"] = _langmap(literals["title"])
    elif "alternative" in literals:
        fields["title"] = _langmap(literals["alternative"])
    if "description" in literals:
        fields["description"] = _langmap(literals["description"], "\n\n")
    if "summary" in literals:
        fields["summary"] = _langmap(literals["summary"])
    if "date" in literals:
        fields["dating"] = literals["date"][0][0]
    if "subject" in literals:
        fields["tags"] = list(dict.fromkeys(text for text, _lang in literals["subject"]))
    kind = kind_from(
        [t for t, _ in literals.get("type", [])] + [t for t, _ in literals.get("edm_type", [])]
    )
    if kind:
        fields["kind"] = kind
    if "identifier" in literals:
        ids = identifiers_from(text for text, _lang in literals["identifier"])
        if ids:
            fields["identifiers"] = ids
    if "rights" in literals:
        # the statement on the list, else a URI, else the first (a holder's note, say)
        values = [t for t, _ in literals["rights"]]
        uris = [t for t in values if t.startswith(("http://", "https://"))]
        listed = [t for t in values if listed_rights(t)]
        fields["rights"] = (listed or uris or values)[0]
    if "language" in literals:
        fields["language"] = [text for text, _lang in literals["language"]]
    if "creator" in literals:
        fields["creator"] = [text for text, _lang in literals["creator"]]
    return fields
