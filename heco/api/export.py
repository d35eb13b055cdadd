"""``/export/geojson``, ``/export/csv``, ``/export/xlsx``: any asset search result, streamed.

The filters are ``/search``'s (the same schema, the same checks, the same 422s); they are
validated before the first byte is sent, so a bad request never starts a download.

Streaming design: the records are produced chunk by chunk (``HECO_EXPORT_CHUNK_SIZE``, default
1,000), so memory holds one chunk at a time whatever the size of the result.

* **Ids.** Without ``q`` the ids come from the ORM with the same filters as ``/assets``
  (``filters.apply_to_queryset``), read with ``.iterator(chunk_size=…)`` — a server-side
  cursor on PostgreSQL, ``fetchmany`` on SQLite: one query for the whole export. With ``q``
  the ids come page by page from ``heco.search.search`` (``facets=False``); the search
  interface caps the page size, so we simply advance ``offset`` by what each page returned
  until a page comes back empty (or the exact total is reached). That costs one search per
  page, each re-reading the first matches; an ids-only bulk method in ``heco.search`` would
  make it one pass.
* **Records.** Each chunk of ids is loaded with ``select_related`` (organisation, community)
  plus one query for the identifiers: two queries per chunk, whatever its size.
* **Formats.** CSV and GeoJSON are written and sent chunk by chunk. XLSX cannot be sent before
  it is complete (a zip with its directory at the end): rows go to openpyxl's write-only
  worksheet, which keeps them in a temporary file on disk, and the finished workbook is
  written to a ``SpooledTemporaryFile`` (in memory up to ``XLSX_SPOOL_BYTES``, on disk beyond)
  and sent in ``BLOCK_SIZE`` blocks. Memory stays bounded by one chunk plus the spool limit;
  disk use is about the size of the uncompressed sheet plus the workbook.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from itertools import islice

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.http import StreamingHttpResponse
from ninja import Query, Router

from heco.api import filters as asset_filters
from heco.api.common import language_maps, ref
from heco.api.schemas import AssetFilters, LangParams, ValidationErrors
from heco.api.urls_helper import public_url
from heco.core.text import xml_text
from heco.heritage.models import Asset, ExternalIdentifier
from heco.search import search

router = Router(tags=["export"])

DEFAULT_CHUNK_SIZE = 1000
XLSX_SPOOL_BYTES = 4 * 1024 * 1024  # finished workbook kept in memory up to this size
BLOCK_SIZE = 64 * 1024  # bytes per streamed block of the finished workbook
GEOMETRY_TYPES = {
    "Point",
    "MultiPoint",
    "LineString",
    "MultiLineString",
    "Polygon",
    "MultiPolygon",
    "GeometryCollection",
}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def chunk_size() -> int:
    return max(1, int(getattr(settings, "HECO_EXPORT_CHUNK_SIZE", DEFAULT_CHUNK_SIZE)))


# --- where the records come from ---------------------------------------------------------


def _batched(iterable: Iterable, size: int) -> Iterator[list]:
    iterator = iter(iterable)
    while batch := list(islice(iterator, size)):
        yield batch


def id_chunks(f: asset_filters.CleanFilters, *, lang: str, size: int) -> Iterator[list]:
    """The ids of every asset the filters select, in chunks of at most ``size``."""
    if not f.q:
        queryset = asset_filters.apply_to_queryset(Asset.objects.published(), f)
        yield from _batched(queryset.values_list("id", flat=True).iterator(chunk_size=size), size)
        return
    offset = 0
    while True:
        query = asset_filters.search_query(f, lang=lang, limit=size, offset=offset, facets=False)
        result = search(query)
        if not result.ids:
            return
        yield result.ids
        offset += len(result.ids)
        if result.total_exact and offset >= result.total:
            return


def assets_chunk(ids: list) -> list[Asset]:
    """Published assets for ``ids``, in that order, each with ``export_identifiers`` (a list of
    ``(scheme, value)``): two queries whatever the chunk size.

    Identifiers are read as plain tuples rather than with ``prefetch_related``, whose
    asset <-> identifier back-references form cycles that only the garbage collector frees:
    chunk after chunk they would pile up until a full collection.
    """
    found = {
        asset.id: asset
        for asset in Asset.objects.published()
        .filter(id__in=ids)
        .select_related("organisation", "community")
    }
    identifiers: dict = {asset_id: [] for asset_id in found}
    for asset_id, scheme, value in (
        ExternalIdentifier.objects.filter(asset_id__in=list(found))
        .order_by("scheme", "value")
        .values_list("asset_id", "scheme", "value")
    ):
        identifiers[asset_id].append((scheme, value))
    for asset_id, asset in found.items():
        asset.export_identifiers = identifiers[asset_id]
    return [found[i] for i in ids if i in found]


def asset_chunks(f: asset_filters.CleanFilters, *, lang: str) -> Iterator[list[Asset]]:
    size = chunk_size()
    for ids in id_chunks(f, lang=lang, size=size):
        yield assets_chunk(ids)


# --- tables (CSV, XLSX) ------------------------------------------------------------------


def table_header() -> list[str]:
    return [
        "id",
        "slug",
        "url",
        *(f"title@{code}" for code in settings.LANGUAGE_CODES),
        "title@other",
        "kind",
        "country",
        "community",
        "organisation",
        "lat",
        "lon",
        "dating",
        "start_year",
        "end_year",
        "themes",
        "identifiers",
    ]


def _strings(value) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else []


def table_row(asset: Asset, lang: str | None) -> list:
    """One row: plain values (str, float, int or None), text exactly as stored."""
    title = asset.title if isinstance(asset.title, dict) else {}
    codes = settings.LANGUAGE_CODES
    other = {k: v for k, v in title.items() if k not in codes and v}
    return [
        str(asset.id),
        asset.slug,
        public_url("asset", asset.slug, lang),
        *(title.get(code) or "" for code in codes),
        json.dumps(other, ensure_ascii=False, sort_keys=True) if other else "",
        asset.kind,
        asset.community.country,
        asset.community.slug,
        asset.organisation.slug,
        asset.lat,
        asset.lon,
        asset.dating,
        asset.start_year,
        asset.end_year,
        "|".join(_strings(asset.themes)),
        "|".join(f"{scheme}:{value}" for scheme, value in asset.export_identifiers),
    ]


def _csv_safe(row: list) -> list:
    """Spreadsheet formula-injection guard on every text cell (titles, dating, themes…): a
    text starting with ``= + - @`` (or a tab/return) gets a leading apostrophe, as OWASP
    recommends. Numbers (lat, lon, years) are not text and stay as they are."""
    cells = []
    for value in row:
        if value is None:
            value = ""
        elif isinstance(value, str) and value.startswith(FORMULA_START):
            value = "'" + value
        cells.append(value)
    return cells


def _utf8(text: str) -> bytes:
    """UTF-8; a lone surrogate (a JSON field can hold one on SQLite) becomes "?", so the
    download is not cut off halfway."""
    return text.encode("utf-8", "replace")


class _Line:
    """A file-like that hands back what csv.writer writes (one row at a time)."""

    def write(self, value: str) -> str:
        return value


def csv_stream(chunks: Iterator[list[Asset]], lang: str | None) -> Iterator[bytes]:
    writer = csv.writer(_Line())
    yield "\ufeff".encode() + writer.writerow(table_header()).encode()
    for assets in chunks:
        lines = [writer.writerow(_csv_safe(table_row(a, lang))) for a in assets]
        if lines:
            yield _utf8("".join(lines))


def _xlsx_value(ws, value):
    from openpyxl.cell import WriteOnlyCell

    if not isinstance(value, str):
        return value
    value = xml_text(value)  # the sheet is XML: no control characters, U+FFFE/FFFF, surrogates
    if value.startswith("="):
        # a plain string, never a formula (openpyxl reads "=…" as one)
        cell = WriteOnlyCell(ws, value)
        cell.data_type = "s"
        return cell
    return value


def xlsx_stream(chunks: Iterator[list[Asset]], lang: str | None) -> Iterator[bytes]:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("assets")
    spool = tempfile.SpooledTemporaryFile(max_size=XLSX_SPOOL_BYTES)  # noqa: SIM115
    try:
        sheet.append(table_header())
        for assets in chunks:
            for asset in assets:
                sheet.append([_xlsx_value(sheet, v) for v in table_row(asset, lang)])
        workbook.save(spool)
        spool.seek(0)
        while block := spool.read(BLOCK_SIZE):
            yield block
    finally:
        spool.close()
        # a download abandoned before save() leaves openpyxl's row file behind: remove it
        writer = getattr(sheet, "_writer", None)
        path = getattr(writer, "out", None)
        if isinstance(path, str) and os.path.exists(path):
            os.remove(path)


# --- GeoJSON -----------------------------------------------------------------------------


def geometry(asset: Asset) -> dict | None:
    """The asset's GeoJSON geometry, else a Point from lon/lat (RFC 7946 order), else None."""
    value = asset.geometry
    if isinstance(value, dict) and value.get("type") == "Feature":
        value = value.get("geometry")
    if isinstance(value, dict) and value.get("type") in GEOMETRY_TYPES:
        if "coordinates" in value or "geometries" in value:
            return value
    if asset.lat is not None and asset.lon is not None:
        return {"type": "Point", "coordinates": [asset.lon, asset.lat]}
    return None


def feature(asset: Asset, lang: str | None) -> dict:
    default = asset.community.default_language
    return {
        "type": "Feature",
        "id": str(asset.id),
        "geometry": geometry(asset),
        "properties": {
            "id": str(asset.id),
            "slug": asset.slug,
            "url": public_url("asset", asset.slug, lang),
            **language_maps(
                lang,
                default,
                title=asset.title,
                summary=asset.summary,
                designation=asset.designation,
            ),
            "kind": asset.kind,
            "themes": _strings(asset.themes),
            "tags": _strings(asset.tags),
            "organisation": ref("organisation", asset.organisation, lang, default),
            "community": ref("community", asset.community, lang, default),
            "country": asset.community.country,
            "address": asset.address,
            "dating": asset.dating,
            "start_year": asset.start_year,
            "end_year": asset.end_year,
            "identifiers": [
                {"scheme": scheme, "value": value} for scheme, value in asset.export_identifiers
            ],
            "updated_at": asset.updated_at,
        },
    }


def _json(value) -> str:
    return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":"))


def geojson_stream(chunks: Iterator[list[Asset]], lang: str | None) -> Iterator[bytes]:
    yield b'{"type":"FeatureCollection","features":['
    first = True
    for assets in chunks:
        if not assets:
            continue
        text = ",".join(_json(feature(a, lang)) for a in assets)
        yield _utf8(text if first else "," + text)
        first = False
    yield b"]}"


# --- endpoints ---------------------------------------------------------------------------

FORMATS = {
    "csv": (csv_stream, "text/csv; charset=utf-8"),
    "xlsx": (
        xlsx_stream,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    "geojson": (geojson_stream, "application/geo+json"),
}


def _export(fmt: str, filters: AssetFilters, params: LangParams) -> StreamingHttpResponse:
    f = asset_filters.clean(filters)  # 422 here, before anything is streamed
    stream, content_type = FORMATS[fmt]
    chunks = asset_chunks(f, lang=params.lang or "en")
    response = StreamingHttpResponse(stream(chunks, params.lang), content_type=content_type)
    stamp = dt.date.today().isoformat()
    response["Content-Disposition"] = f'attachment; filename="heco-assets-{stamp}.{fmt}"'
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _doc(content_type: str, schema: dict, description: str) -> dict:
    return {
        "responses": {
            "200": {"description": description, "content": {content_type: {"schema": schema}}}
        }
    }


TABLE_DESCRIPTION = (
    "Columns: `id`, `slug`, `url`, `title@<lang>` for each network language, `title@other` "
    "(JSON of any other languages), `kind`, `country`, `community`, `organisation`, `lat`, "
    "`lon`, `dating`, `start_year`, `end_year`, `themes` (`|`-separated), `identifiers` "
    "(`scheme:value`, `|`-separated)."
)
_STRING = {"type": "string", "format": "binary"}
_FEATURE_COLLECTION = {
    "type": "object",
    "required": ["type", "features"],
    "properties": {
        "type": {"type": "string", "enum": ["FeatureCollection"]},
        "features": {"type": "array", "items": {"type": "object"}},
    },
}
COMMON_DESCRIPTION = (
    "Every asset `/search` finds with the same filters (no paging), streamed. Without `q` "
    "ordered by slug (by distance with `lat`/`lon`), with `q` by relevance. `lang` sets the "
    "language of `url`. Answers carry `Access-Control-Allow-Origin: *` and a "
    "`Content-Disposition` file name."
)


@router.get(
    "/csv",
    response={422: ValidationErrors},
    summary="Export a search result as CSV",
    description=(
        f"{COMMON_DESCRIPTION}\n\n{TABLE_DESCRIPTION} Text cells starting with `= + - @` get "
        "a leading apostrophe (spreadsheet formula-injection guard)."
    ),
    openapi_extra=_doc("text/csv", _STRING, "UTF-8 CSV with a byte-order mark (for Excel)."),
)
def export_csv(request, filters: Query[AssetFilters], params: Query[LangParams]):
    return _export("csv", filters, params)


@router.get(
    "/xlsx",
    response={422: ValidationErrors},
    summary="Export a search result as an Excel workbook",
    description=f"{COMMON_DESCRIPTION}\n\n{TABLE_DESCRIPTION} Text is stored unchanged.",
    openapi_extra=_doc(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        _STRING,
        "One sheet, `assets`, with a header row.",
    ),
)
def export_xlsx(request, filters: Query[AssetFilters], params: Query[LangParams]):
    return _export("xlsx", filters, params)


@router.get(
    "/geojson",
    response={422: ValidationErrors},
    summary="Export a search result as GeoJSON",
    description=(
        f"{COMMON_DESCRIPTION}\n\nOne Feature per asset: `id`, `geometry` (the asset's "
        "GeoJSON geometry, else a Point `[lon, lat]`, else null) and `properties` (language "
        "maps whole, `url`, kind, themes, organisation, community, dating, identifiers…)."
    ),
    openapi_extra=_doc(
        "application/geo+json", _FEATURE_COLLECTION, "An RFC 7946 FeatureCollection."
    ),
)
def export_geojson(request, filters: Query[AssetFilters], params: Query[LangParams]):
    return _export("geojson", filters, params)
