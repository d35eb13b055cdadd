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
Every bad row is reported with its line number; the rest goes in. A file or mapping that
does not fit (no header, binary data, a mapped column missing or twice, an unknown field)
raises SourceError: the run fails and changes nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import itertools
import json
from collections.abc import Iterator
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings

from heco.harvest.sources.base import HarvestedRecord, SourceError
from heco.harvest.sources.fields import identifiers_from, kind_from, parse_point

TEXT_FIELDS = {"title", "summary", "description"}
PLAIN_FIELDS = {"identifier", "kind", "lat", "lon", "wkt", "dating", "rights", "address"}
EVENT_FIELDS = {"start", "end", "timezone", "rrule", "url"}
DATE_FORMATS = ("%d.%m.%Y %H:%M", "%d/%m/%Y %H:%M", "%d.%m.%Y", "%d/%m/%Y")
MULTI_FIELDS = {"tags", "language"}
BAD_CHARACTER = "\ufffd"  # what decoding made of bytes not valid in the encoding


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
    """The file's text. Bytes that are not valid in the encoding become U+FFFD (the rows
    holding them are reported, ``records_from_rows``), so one bad byte costs one row, not
    the letters of every other row. Without an encoding: UTF-8, else cp1252 when the file
    holds no UTF-8 letters at all."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    if encoding:
        try:
            return data.decode(encoding, errors="replace")
        except LookupError:
            raise SourceError(f"unknown encoding in the mapping: {encoding}")
    text = data.decode("utf-8", errors="replace")
    if BAD_CHARACTER in text and not any(ord(c) > 127 and c != BAD_CHARACTER for c in text):
        return data.decode("cp1252", errors="replace")
    return text


def sniff_delimiter(text: str) -> str:
    # whole lines, no blank ones: either misleads the Sniffer (a long first row cut short, the
    # empty last line of an Excel "Unicode text" export)
    lines = io.StringIO(text[:20000], newline="").readlines()
    if len(text) > 20000 and len(lines) > 1:
        lines.pop()
    sample = "".join(line for line in lines if line.strip())
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        return ","


def csv_rows(data: bytes, mapping: dict) -> Iterator[tuple[int, list[str] | None, str]]:
    """(line number where the row starts, cells, error) for the header and every row.

    An unreadable row (a quote never closed, a cell over the csv module's size limit) is
    reported and reading goes on at the line after the one it starts on. So does a row of
    several lines with more cells than the header: a stray quote that swallowed the lines of
    the rows below."""
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise SourceError(
            "not a CSV text file (it holds binary data; an .xls workbook must be saved as .xlsx)"
        )
    text = decode(data, mapping.get("encoding"))
    delimiter = mapping.get("delimiter") or sniff_delimiter(text)
    lines = io.StringIO(text, newline="").readlines()
    first, width = 0, None  # lines skipped so far; cells in the header
    while True:
        reader = csv.reader(itertools.islice(lines, first, None), delimiter=delimiter, strict=True)
        done = 0  # lines of this reader up to the end of the last row read
        try:
            for row in reader:
                if width is None and any(c.strip() for c in row):
                    width = len(row)
                elif reader.line_num > done + 1 and any(c.strip() for c in row[width:]):
                    raise csv.Error(
                        f"{len(row)} cells over lines {first + done + 1}-"
                        f"{first + reader.line_num} (is a quote not closed?)"
                    )
                yield first + done + 1, row, ""
                done = reader.line_num
            return
        except csv.Error as exc:
            yield first + done + 1, None, f"unreadable row: {exc}"
            first += done + 1


def xlsx_rows(data: bytes, mapping: dict) -> Iterator[tuple[int, list[str] | None, str]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - zipfile, XML and openpyxl errors alike
        raise SourceError(f"not a readable XLSX workbook: {type(exc).__name__}: {exc}")
    if mapping.get("sheet") and mapping["sheet"] not in book.sheetnames:
        names = ", ".join(book.sheetnames)
        raise SourceError(f"no sheet {mapping['sheet']!r} in the workbook (its sheets: {names})")
    sheet = book[mapping["sheet"]] if mapping.get("sheet") else book.worksheets[0]
    sheet.reset_dimensions()  # the size the file states may be wrong ("A1"): read every row
    for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        yield number, [cell_text(v) for v in values], ""
    book.close()


def cell_text(value) -> str:
    """An XLSX cell as the text a CSV export would hold: a date cell (a datetime at
    midnight) as ``1879-01-01``, so it reads as a dating with its year."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.date().isoformat()
    return str(value)


def check_header(header: list[str], mapping: dict) -> dict:
    """The mapping's columns (header -> field), or SourceError when the mapping does not fit
    the file: a field that does not exist, a column the file does not have or has twice. A
    run goes no further then: rows read with the wrong columns would replace good records."""
    columns = mapping.get("columns")
    if columns is None:
        columns = {h: h for h in header if field_of(h)[0]}
    if not isinstance(columns, dict) or not all(isinstance(v, str) for v in columns.values()):
        raise SourceError('the mapping\'s "columns" must be an object of column: field')
    if not columns:
        raise SourceError(f"no column is mapped (the file's columns: {', '.join(header)})")
    unknown = [f"{column}: {spec}" for column, spec in columns.items() if not field_of(spec)[0]]
    if unknown:
        raise SourceError(f"unknown fields in the mapping: {'; '.join(unknown)}")
    missing = [column for column in columns if column.strip() not in header]
    if missing:
        raise SourceError(
            f"the file has no column {', '.join(missing)} (its columns: {', '.join(header)})"
        )
    twice = sorted({h for h in header if h in columns and header.count(h) > 1})
    if twice:
        raise SourceError(f"the file has the column {', '.join(twice)} more than once")
    return {column.strip(): spec for column, spec in columns.items()}


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
        raise SourceError("the file has no header row (it is empty)")
    columns = check_header(header, mapping)
    specs = [field_of(columns.get(h, "")) for h in header]
    separator = mapping.get("separator") or "|"
    target = "event" if mapping.get("target") == "event" else "asset"
    zone = mapping.get("timezone") or settings.TIME_ZONE
    first_line: dict[str, int] = {}  # identifier -> line of its first row
    rows_read = 0
    for line, cells, error in rows:
        if not error and not any(c.strip() for c in cells):
            continue  # blank line
        rows_read += 1
        if error:
            yield HarvestedRecord(identifier="", line=line, error=error)
            continue
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
        if record.identifier in first_line:
            record.error = (
                f"identifier {record.identifier} already on line {first_line[record.identifier]}"
            )
        elif record.identifier:
            first_line[record.identifier] = line
        if not record.error and any(BAD_CHARACTER in c for c in cells):
            encoding = mapping.get("encoding") or "UTF-8"
            record.error = f'bytes that are not {encoding} text: set "encoding" in the mapping'
        if not record.error and any("\x00" in c for c in cells):
            record.error = "a NUL character in a cell"  # no database text can hold it
        yield record
    if not rows_read:  # an export gone wrong, far likelier than "every record deleted"
        raise SourceError("the file has a header row and no rows: nothing was changed")


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
