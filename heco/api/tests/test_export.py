"""``/export/csv``, ``/export/xlsx``, ``/export/geojson``: the records of ``/search``, streamed."""

import codecs
import csv
import io
import json
import tracemalloc

import openpyxl
import pytest
from django.conf import settings as django_settings

from heco.api.export import assets_chunk, table_header, table_row
from heco.api.tests.conftest import API, error_fields
from heco.api.tests.test_asset_filters import BAD
from heco.heritage.models import Asset
from heco.search.index import rebuild
from heco.testing.factories import (
    AssetFactory,
    ExternalIdentifierFactory,
    OrganisationFactory,
    ServiceFactory,
)

FORMATS = ["csv", "xlsx", "geojson"]


@pytest.fixture
def indexed(catalogue):
    catalogue["manor"].start_year, catalogue["manor"].end_year = 1600, 1700
    catalogue["manor"].save()
    ServiceFactory(asset=catalogue["tower"], accessibility=["step-free"], opening_hours="24/7")
    rebuild()
    return catalogue


def download(api, fmt, params=None):
    response = api.client.get(f"{API}/export/{fmt}", params or {})
    assert response.status_code == 200, response.content[:500]
    assert response.streaming is True
    return response, b"".join(response.streaming_content)


def csv_rows(content: bytes) -> list[dict]:
    assert content.startswith(codecs.BOM_UTF8)
    text = content.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def xlsx_rows(content: bytes) -> list[dict]:
    sheet = openpyxl.load_workbook(io.BytesIO(content), read_only=True)["assets"]
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[0])
    return [dict(zip(header, row, strict=True)) for row in rows[1:]]


def exported_ids(api, fmt, params=None) -> list[str]:
    _response, content = download(api, fmt, params)
    if fmt == "csv":
        return [row["id"] for row in csv_rows(content)]
    if fmt == "xlsx":
        return [row["id"] for row in xlsx_rows(content)]
    return [f["id"] for f in json.loads(content)["features"]]


SAME_AS_SEARCH = [
    {},
    {"country": "SI"},
    {"community": "plunge", "kind": ["building", "landscape"]},
    {"organisation": "piran-museum"},
    {"theme": "public-space"},
    {"bbox": "13,45,14,46"},
    {"lat": 55.9155, "lon": 21.8505, "radius": 1},
    {"q": "dvaro"},
    {"q": "piran", "country": "SI"},
    {"q": "zzzz-nothing"},
    {"period": "1650-1750"},
    {"accessibility": "step-free"},
    {"open_now": "true"},
]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("params", SAME_AS_SEARCH, ids=[repr(p) for p in SAME_AS_SEARCH])
def test_export_has_the_same_records_as_search(api, indexed, fmt, params):
    found = api.get("/search", {**params, "limit": 100, "facets": "false"})
    ids = exported_ids(api, fmt, params)
    assert len(ids) == len(set(ids))
    assert set(ids) == {item["id"] for item in found["items"]}
    assert len(ids) == found["count"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_export_headers_name_the_file_and_allow_any_origin(api, indexed, fmt):
    response, _content = download(api, fmt)
    assert response["Access-Control-Allow-Origin"] == "*"
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="heco-assets-')
    assert disposition.endswith(f'.{fmt}"')
    expected = {
        "csv": "text/csv; charset=utf-8",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "geojson": "application/geo+json",
    }[fmt]
    assert response["Content-Type"] == expected


@pytest.mark.parametrize("fmt", FORMATS)
def test_export_with_query_text_pages_through_the_search(api, db, settings, fmt):
    settings.HECO_EXPORT_CHUNK_SIZE = 7
    AssetFactory.create_batch(30, title={"en": "Old mill"})
    AssetFactory.create_batch(3, title={"en": "Chapel"})
    rebuild()
    ids = exported_ids(api, fmt, {"q": "mill"})
    assert len(ids) == len(set(ids)) == 30


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    ("params", "field"), BAD[:-3], ids=[f"{f}:{p!r}"[:50] for p, f in BAD[:-3]]
)
def test_bad_filters_are_a_422_naming_the_field_before_anything_streams(
    api, db, fmt, params, field
):
    response = api.client.get(f"{API}/export/{fmt}", params)
    assert response.status_code == 422
    assert not response.streaming
    assert field in error_fields(response.json())


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    ("params", "field"),
    [({"period": "1700-1500"}, "period"), ({"accessibility": "ramp"}, "accessibility")],
)
def test_new_filters_are_validated_on_exports_too(api, db, fmt, params, field):
    response = api.client.get(f"{API}/export/{fmt}", params)
    assert response.status_code == 422
    assert field in error_fields(response.json())


# --- CSV ---------------------------------------------------------------------------------


def test_csv_has_a_bom_one_title_column_per_language_and_parses_multiline_text(api, places):
    asset = AssetFactory(
        slug="mill",
        organisation=places["library"],
        title={"en": 'The "old" mill,\nby the river', "lt": "Malūnas", "fr": "Le moulin"},
        themes=["public-space", "adult-education"],
        dating="1650/1700",
        start_year=1650,
        end_year=1700,
        lat=55.9,
        lon=21.8,
    )
    ExternalIdentifierFactory(asset=asset, scheme="lt-kvr", value="12345")
    ExternalIdentifierFactory(asset=asset, scheme="wikidata", value="Q42")
    _response, content = download(api, "csv", {"lang": "lt"})
    rows = csv_rows(content)
    assert list(rows[0]) == table_header()
    assert {f"title@{code}" for code in django_settings.LANGUAGE_CODES} <= set(rows[0])
    (row,) = rows
    assert row["id"] == str(asset.id)
    assert row["url"] == "http://127.0.0.1:8000/lt/assets/mill/"
    assert row["title@en"] == 'The "old" mill,\nby the river'
    assert row["title@lt"] == "Malūnas"
    assert row["title@it"] == ""
    assert json.loads(row["title@other"]) == {"fr": "Le moulin"}
    assert row["kind"] == "building" and row["country"] == "LT"
    assert row["community"] == places["plunge"].slug and row["organisation"] == "plunge-library"
    assert (float(row["lat"]), float(row["lon"])) == (55.9, 21.8)
    assert (row["dating"], row["start_year"], row["end_year"]) == ("1650/1700", "1650", "1700")
    assert row["themes"].split("|") == ["public-space", "adult-education"]
    assert row["identifiers"] == "lt-kvr:12345|wikidata:Q42"


def test_csv_title_that_looks_like_a_formula_is_defused(api, db):
    AssetFactory(title={"en": '=HYPERLINK("http://evil")', "lt": "@SUM(1)"})
    (row,) = csv_rows(download(api, "csv")[1])
    assert row["title@en"] == '\'=HYPERLINK("http://evil")'
    assert row["title@lt"] == "'@SUM(1)"


# --- XLSX --------------------------------------------------------------------------------


def test_xlsx_opens_with_openpyxl_and_has_the_header_row(api, catalogue):
    AssetFactory(slug="formula", title={"en": "=1+1", "lt": "bad\x01char"}, start_year=1500)
    _response, content = download(api, "xlsx")
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    sheet = workbook["assets"]
    assert [c.value for c in sheet[1]] == table_header()
    rows = xlsx_rows(content)
    by_slug = {row["slug"]: row for row in rows}
    assert set(by_slug) == {
        "plunge-manor",
        "manor-park",
        "piran-town-walls",
        "piran-lace",
        "formula",
    }
    assert by_slug["plunge-manor"]["title@lt"] == "Plungės dvaras"
    assert by_slug["plunge-manor"]["lat"] == 55.911
    assert by_slug["piran-lace"]["lat"] is None
    # text is kept as text: never a formula, control characters dropped
    assert by_slug["formula"]["title@en"] == "=1+1"
    assert by_slug["formula"]["title@lt"] == "badchar"
    assert by_slug["formula"]["start_year"] == 1500


# --- GeoJSON -----------------------------------------------------------------------------


def test_geojson_is_a_feature_collection_with_lon_lat_coordinates(api, catalogue):
    polygon = {
        "type": "Polygon",
        "coordinates": [[[21.8, 55.9], [21.9, 55.9], [21.9, 56.0], [21.8, 55.9]]],
    }
    catalogue["park"].geometry = polygon
    catalogue["park"].save()
    _response, content = download(api, "geojson", {"lang": "en"})
    body = json.loads(content)
    assert body["type"] == "FeatureCollection"
    assert "crs" not in body
    features = {f["properties"]["slug"]: f for f in body["features"]}
    assert set(features) == {"plunge-manor", "manor-park", "piran-town-walls", "piran-lace"}
    for feature in body["features"]:
        assert feature["type"] == "Feature"
        assert isinstance(feature["id"], str)
        assert set(feature) == {"type", "id", "geometry", "properties"}
    manor = features["plunge-manor"]
    assert manor["geometry"] == {"type": "Point", "coordinates": [21.845, 55.911]}  # [lon, lat]
    assert manor["properties"]["title"] == {"lt": "Plungės dvaras", "en": "Plungė Manor"}
    assert manor["properties"]["title_text"] == "Plungė Manor"
    assert manor["properties"]["url"] == "http://127.0.0.1:8000/en/assets/plunge-manor/"
    assert manor["id"] == str(catalogue["manor"].id)
    assert features["manor-park"]["geometry"] == polygon
    assert features["piran-lace"]["geometry"] is None  # no location: kept, without geometry


def test_geojson_of_an_empty_result_is_an_empty_collection(api, db):
    body = json.loads(download(api, "geojson")[1])
    assert body == {"type": "FeatureCollection", "features": []}


# --- bounded queries and memory ----------------------------------------------------------


def _consume(response) -> int:
    return sum(len(block) for block in response.streaming_content)


@pytest.mark.parametrize("fmt", FORMATS)
def test_export_queries_are_bounded_per_chunk(
    api, db, settings, fmt, django_assert_max_num_queries
):
    settings.HECO_EXPORT_CHUNK_SIZE = 5
    org = OrganisationFactory()
    assets = AssetFactory.create_batch(23, organisation=org)  # five chunks
    for asset in assets[:10]:
        ExternalIdentifierFactory(asset=asset)
    # one query for the ids (a cursor), then the assets and their identifiers per chunk
    with django_assert_max_num_queries(1 + 5 * 2):
        response = api.client.get(f"{API}/export/{fmt}")
        assert _consume(response) > 0


def test_export_with_text_queries_are_bounded_per_chunk(
    api, db, settings, django_assert_max_num_queries
):
    settings.HECO_EXPORT_CHUNK_SIZE = 5
    AssetFactory.create_batch(23, title={"en": "Old mill"}, organisation=OrganisationFactory())
    rebuild()
    # per chunk: one search (a handful of queries, depending on the backend) and the assets
    # with their identifiers
    search_queries = 5
    with django_assert_max_num_queries(5 * (search_queries + 2)):
        response = api.client.get(f"{API}/export/csv", {"q": "mill"})
        assert _consume(response) > 0


def _bulk_assets(count: int) -> None:
    org = OrganisationFactory()
    Asset.objects.bulk_create(
        [
            Asset(
                slug=f"bulk-{n:05d}",
                title={code: f"Heritage asset number {n} ({code})" for code in ("en", "lt", "sl")},
                summary={"en": "A long summary of the asset. " * 20},
                kind="building",
                organisation=org,
                community=org.community,
                lat=55.0 + n / 10000,
                lon=21.0 + n / 10000,
                themes=["public-space"],
                status="published",
            )
            for n in range(count)
        ]
    )


@pytest.mark.parametrize("fmt", FORMATS)
def test_export_memory_stays_bounded_by_the_chunk(api, db, settings, fmt):
    """Many assets in small chunks: the peak while streaming the whole export stays well
    under the peak of loading every asset and rendering every row at once."""
    count = 2000
    _bulk_assets(count)
    settings.HECO_EXPORT_CHUNK_SIZE = 100

    tracemalloc.start()
    try:
        everything = assets_chunk(list(Asset.objects.values_list("id", flat=True)))
        rows = [table_row(a, None) for a in everything]
        assert len(rows) == count
        all_at_once = tracemalloc.get_traced_memory()[1]
        del everything, rows
        tracemalloc.reset_peak()
        baseline = tracemalloc.get_traced_memory()[0]

        response = api.client.get(f"{API}/export/{fmt}")
        assert response.streaming
        size = _consume(response)
        streamed = tracemalloc.get_traced_memory()[1] - baseline
    finally:
        tracemalloc.stop()
    assert size > count * 100
    assert streamed < all_at_once / 3, (streamed, all_at_once)
