"""OAI-PMH responses (ListRecords, Identify) to HarvestedRecords, with lxml directly.

Metadata formats: ``oai_dc``; EDM as providers send it (descriptive metadata on
``edm:ProvidedCHO``) and as Europeana serves it (descriptive metadata on the provider's
``ore:Proxy``, enrichments on Europeana's own proxy, which we skip).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from lxml import etree

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
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
OAI_DC_ROOT = "{http://www.openarchives.org/OAI/2.0/oai_dc/}dc"
RDF_ROOT = RDF + "RDF"
RDF_RESOURCE = RDF + "resource"
OAI_HEADER, OAI_METADATA = OAI + "header", OAI + "metadata"
OAI_IDENTIFIER, OAI_DATESTAMP = OAI + "identifier", OAI + "datestamp"

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)

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
    root = parse_xml(data)
    if root.tag != OAI + "OAI-PMH":
        raise SourceUnavailable(f"not an OAI-PMH response (root element {root.tag})")
    result = ListResult()
    result.error_code, result.error_message = _errors(root)
    if result.error_code:
        return result
    container = root.find(OAI + "ListRecords")
    if container is None:
        raise SourceUnavailable("OAI-PMH response without ListRecords")
    for record_el in container.iterfind(OAI + "record"):
        result.records.append(parse_record(record_el))
    token_el = container.find(OAI + "resumptionToken")
    if token_el is not None:
        result.token = (token_el.text or "").strip()
        size = token_el.get("completeListSize")
        cursor = token_el.get("cursor")
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


def _collect(element, literals: dict) -> None:
    """Add the dc/dcterms children of ``element`` to ``literals`` {bucket: [(text, lang)]}."""
    buckets = _LITERALS
    for child in element:
        bucket = buckets.get(child.tag)
        if bucket is None:
            continue
        text = child.text
        text = text.strip() if text else ""
        if not text:
            text = child.get(RDF_RESOURCE, "").strip()
            if not text:
                continue
        found = literals.get(bucket)
        if found is None:
            found = literals[bucket] = []
        found.append((text, child.get(XML_LANG, "")))


def dc_fields(dc) -> dict:
    literals: dict = {}
    _collect(dc, literals)
    fields = literal_fields(literals)
    for text, _lang in literals.get("coverage", []):
        point = parse_point(text)
        if point:
            fields["lat"], fields["lon"] = point
            break
    return fields


def edm_fields(rdf) -> dict:
    literals: dict = {}
    for cho in rdf.iterfind(EDM + "ProvidedCHO"):
        _collect(cho, literals)
    for proxy in rdf.iterfind(ORE + "Proxy"):
        if (proxy.findtext(EDM + "europeanaProxy") or "").strip().lower() == "true":
            continue  # Europeana's own enrichment proxy
        _collect(proxy, literals)
    fields = literal_fields(literals)
    links = fields.setdefault("links", {})
    for aggregation in rdf.iterfind(ORE + "Aggregation"):
        rights = aggregation.find(EDM + "rights")
        if rights is not None and not fields.get("rights"):
            fields["rights"] = rights.get(RDF_RESOURCE, "") or (rights.text or "").strip()
        for name in ("isShownAt", "isShownBy", "object"):
            el = aggregation.find(EDM + name)
            if el is not None and el.get(RDF_RESOURCE):
                links.setdefault(name, el.get(RDF_RESOURCE))
        for name, key in (("dataProvider", "data_provider"), ("provider", "provider")):
            el = aggregation.find(EDM + name)
            if el is not None:
                value = (el.text or "").strip() or el.get(RDF_RESOURCE, "")
                if value:
                    fields.setdefault(key, value)
    for place in rdf.iterfind(EDM + "Place"):
        lat, lon = place.findtext(WGS84 + "lat"), place.findtext(WGS84 + "long")
        if lat and lon:
            fields["lat"], fields["lon"] = float(lat), float(lon)
            label = place.findtext(SKOS + "prefLabel")
            if label:
                fields.setdefault("address", label.strip())
            break
    else:
        for text, _lang in literals.get("coverage", []):
            point = parse_point(text)
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
        uris = [t for t, _ in literals["rights"] if t.startswith(("http://", "https://"))]
        fields["rights"] = uris[0] if uris else literals["rights"][0][0]
    if "language" in literals:
        fields["language"] = [text for text, _lang in literals["language"]]
    if "creator" in literals:
        fields["creator"] = [text for text, _lang in literals["creator"]]
    return fields
