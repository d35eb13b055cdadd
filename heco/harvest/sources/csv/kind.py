"""CSV / XLSX files (or URLs) with a saved column mapping. A snapshot: rows that disappear
from the file were deleted."""

from __future__ import annotations

from heco.harvest.sources.base import Page, SourceKind, read_location

from . import parse

PAGE_SIZE = 500


class Kind(SourceKind):
    slug = "csv"
    snapshot = True

    def fetch(self, source, checkpoint, since):
        data = read_location(source.url)
        mapping = source.mapping or {}
        is_xlsx = data[:4] == b"PK\x03\x04" or source.url.lower().endswith((".xlsx", ".xlsm"))
        rows = parse.xlsx_rows(data, mapping) if is_xlsx else parse.csv_rows(data, mapping)
        page: list = []
        for record in parse.records_from_rows(rows, mapping):
            page.append(record)
            if len(page) >= PAGE_SIZE:
                yield Page(page)
                page = []
        yield Page(page, last=True)
