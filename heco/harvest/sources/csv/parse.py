"""CSV and XLSX rows to HarvestedRecords through a saved column mapping.

The mapping (``Source.mapping``) is JSON::

    {
      "columns": {                      # column header -> field
        "ID": "identifier",
        "Pavadinimas": "title@lt",      # language columns: field@tag
        "Name": "title@en",
        "Aprašymas": "description@lt",
        "Type": "kind",
        "WKT": "wkt",                   # or "lat" / "lon" columns
        "Wikidata": "identifier:wikidata",
        "Keywords": "tags",             # multi-valued: split on "separator"
        "Date": "dating", "Licence": "rights", "Address": "address"
      },
      "separator": "|",                 # for multi-valued cells (tags, identifier:*)
      "delimiter": ";",                 # optional; sniffed when absent
      "encoding": "utf-8",              # optional; a BOM is always honoured
      "language": "lt",                 # language of untagged text columns
      "default_kind": "building",
      "sheet": "Sheet1"                 # XLSX only; the first sheet by default
    }

Events instead of assets: ``"target": "event"`` and columns mapped to ``start``, ``end``
(ISO 8601 ``2025-05-17T10:00``, ``2025-05-17 10:00``, ``17.05.2025 10:00``, ``17/05/2025
10:00``, or a date alone for the whole day), ``timezone`` (else the mapping's ``"timezone"``,
else the site's), ``rrule`` (an RFC 5545 rule) and ``url`` (registration link), beside
``title@…`` and ``description@…``. A start without an offset is local time in that zone.

Without "columns", headers that already name a field (``title@lt``, ``lat``…) map to it.
Every bad row is reported with its line number; the rest goes in.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
from collections.abc import Iterator
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings

from heco.harvest.sources.base import HarvestedRecord
from heco.harvest.sources.fields import identifiers_from, kind_from, parse_point

TEXT_FIELDS = {"title", "summary", "description"}
PLAIN_FIELDS = {"identifier", "kind", "lat", "lon", "wkt", "dating", "rights", "address"}
EVENT_FIELDS = {"start", "end", "timezone", "rrule", "url"}
DATE_FORMATS = ("%d.%m.%Y %H:%M", "%d/%m/%Y %H:%M", "%d.%m.%Y", "%d/%m/%Y")
MULTI_FIELDS = {"tags", "language"}


def field_of(spec: str) -> tuple[str, str]:
    """("title", "lt") for "title@lt"; ("identifier:wikidata", "") for that; ("", "") if unknown."""
    name, _, lang = spec.partition("@")
    name = name.strip()
    if name in TEXT_FIELDS:
        return name, lang.strip()
    if name in PLAIN_FIELDS or name in EVENT_FIELDS or name in MULTI_FIELDS:
        return name, ""
    if name.startswith("identifier:"):
        return name, ""
    return "", ""


def decode(data: bytes, encoding: str | None = None) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    if encoding:
        return data.decode(encoding)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def sniff_delimiter(text: str) -> str:
    sample = text[:20000]
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        return ","


def csv_rows(data: bytes, mapping: dict) -> Iterator[tuple[int, list[str] | None, str]]:
    """(line number where the row starts, cells, error) for the header and every row."""
    text = decode(data, mapping.get("encoding"))
    delimiter = mapping.get("delimiter") or sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    line = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield line, None, f"unreadable row: {exc}"
            line = reader.line_num + 1
            continue
        yield line, row, ""
        line = reader.line_num + 1


def xlsx_rows(data: bytes, mapping: dict) -> Iterator[tuple[int, list[str] | None, str]]:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    sheet = book[mapping["sheet"]] if mapping.get("sheet") else book.worksheets[0]
    for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        yield number, ["" if v is None else str(v) for v in values], ""
    book.close()


def records_from_rows(rows, mapping: dict) -> Iterator[HarvestedRecord]:
    rows = iter(rows)
    header = None
    for line, cells, error in rows:
        if cells and any(c.strip() for c in cells):
            header = [c.strip() for c in cells]
            break
        if error:
            yield HarvestedRecord(identifier="", line=line, error=error)
    if header is None:
        return
    columns = mapping.get("columns") or {h: h for h in header if field_of(h)[0]}
    specs = [field_of(columns.get(h, "")) for h in header]
    separator = mapping.get("separator") or "|"
    target = "event" if mapping.get("target") == "event" else "asset"
    zone = mapping.get("timezone") or settings.TIME_ZONE
    for line, cells, error in rows:
        if error:
            yield HarvestedRecord(identifier="", line=line, error=error)
            continue
        if not any(c.strip() for c in cells):
            continue  # blank line
        if len(cells) > len(header) and any(c.strip() for c in cells[len(header) :]):
            yield HarvestedRecord(
                identifier="",
                line=line,
                error=f"{len(cells)} cells in a row of {len(header)} columns",
                raw=separator.join(cells),
            )
            continue
        record = row_record(line, cells, specs, separator)
        if target == "event":
            record = event_row(record, zone)
        yield record


def local_datetime(value: str, zone: str) -> dt.datetime:
    """A start or end cell as an aware datetime (naive values are local time in ``zone``);
    ValueError with the value when it is none of the accepted forms."""
    text = value.strip()
    moment = None
    try:
        moment = dt.datetime.fromisoformat(text.replace(" ", "T", 1) if " " in text else text)
    except ValueError:
        for pattern in DATE_FORMATS:
            try:
                moment = dt.datetime.strptime(text, pattern)
                break
            except ValueError:
                continue
    if moment is None:
        raise ValueError(f"not a date and time: {value}")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(zone))
    return moment


def event_row(record: HarvestedRecord, default_zone: str) -> HarvestedRecord:
    """An asset-shaped row record made an event record: start/end parsed in its zone."""
    record.target = "event"
    if record.error:
        return record
    fields = record.fields
    zone = fields.get("timezone") or default_zone
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        record.error = f"unknown time zone: {zone}"
        return record
    fields["timezone"] = zone
    for name in ("start", "end"):
        if name in fields:
            try:
                fields[name] = local_datetime(fields[name], zone)
            except ValueError as exc:
                record.error = f"{name}: {exc}"
                return record
    return record


def row_record(line: int, cells: list[str], specs, separator: str) -> HarvestedRecord:
    fields: dict = {}
    identifier = ""
    raw = {}
    identifiers = []
    for (name, lang), cell in zip(specs, cells, strict=False):
        value = cell.strip()
        if not name or not value:
            continue
        raw[f"{name}@{lang}" if lang else name] = value
        if name == "identifier":
            identifier = value
        elif name in TEXT_FIELDS:
            fields.setdefault(name, {})[lang] = value
        elif name.startswith("identifier:"):
            scheme = name.split(":", 1)[1]
            for part in value.split(separator):
                if part.strip():
                    found = identifiers_from([part.strip()]) if scheme == "wikidata" else []
                    identifiers.append(found[0] if found else [scheme, part.strip()])
        elif name in MULTI_FIELDS:
            fields[name] = [p.strip() for p in value.split(separator) if p.strip()]
        elif name == "kind":
            fields["kind"] = value if value in _KINDS else kind_from([value])
        elif name == "wkt":
            point = parse_point(value)
            if point is None:
                return HarvestedRecord(
                    identifier=identifier, line=line, error=f"not a WKT POINT: {value}"
                )
            fields["lat"], fields["lon"] = point
        elif name in ("lat", "lon"):
            try:
                fields[name] = float(value.replace(",", "."))
            except ValueError:
                return HarvestedRecord(
                    identifier=identifier, line=line, error=f"{name} is not a number: {value}"
                )
        else:
            fields[name] = value
    if identifiers:
        fields["identifiers"] = identifiers
    if not identifier:
        # no identifier column: the row's content identifies it (an edited row is a new one)
        digest = hashlib.sha1(repr(sorted(raw.items())).encode()).hexdigest()  # noqa: S324
        identifier = f"row-{digest[:16]}"
    return HarvestedRecord(
        identifier=identifier,
        fields=fields,
        line=line,
        raw=json.dumps(raw, ensure_ascii=False),
    )


_KINDS = {
    "building",
    "monument",
    "archaeological-site",
    "landscape",
    "movable-object",
    "collection",
    "intangible",
    "natural",
    "document",
}
