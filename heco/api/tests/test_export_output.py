"""Exports of unusual but storable data: every free-text cell defused, files that read back
whole (XLSX without characters XML refuses, CSV/GeoJSON not cut off by a lone surrogate)."""

import codecs
import csv
import io
import json

import openpyxl
import pytest
from django.db import connection

from heco.api.tests.conftest import API
from heco.heritage.models import Asset
from heco.testing.factories import AssetFactory

sqlite_only = pytest.mark.skipif(
    connection.vendor != "sqlite",
    reason="PostgreSQL's jsonb refuses lone surrogates; only SQLite can store them",
)


def download(api, fmt) -> bytes:
    response = api.client.get(f"{API}/export/{fmt}")
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def csv_rows(content: bytes) -> list[dict]:
    assert content.startswith(codecs.BOM_UTF8)
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def xlsx_rows(content: bytes) -> list[dict]:
    sheet = openpyxl.load_workbook(io.BytesIO(content), read_only=True)["assets"]
    header, *rows = sheet.iter_rows(values_only=True)
    return [dict(zip(header, row, strict=True)) for row in rows]


def test_csv_formula_guard_covers_every_text_cell(api, db):
    asset = AssetFactory(dating="=1+1", lat=90.0, lon=-180.0, start_year=-500, end_year=-300)
    Asset.objects.filter(pk=asset.pk).update(themes=["+cmd|' /C calc'!A0", "public-space"])

    (row,) = csv_rows(download(api, "csv"))

    assert row["dating"] == "'=1+1"
    assert row["themes"] == "'+cmd|' /C calc'!A0|public-space"
    # numbers are not text: negative values stay numbers
    assert (row["lat"], row["lon"]) == ("90.0", "-180.0")
    assert (row["start_year"], row["end_year"]) == ("-500", "-300")


def test_xlsx_with_characters_xml_refuses_reads_back(api, db):
    AssetFactory(slug="odd", title={"en": "a\ufffeb\uffffc\x1bd", "lt": "=1+1"})

    (row,) = xlsx_rows(download(api, "xlsx"))

    assert row["slug"] == "odd"
    assert row["title@en"] == "abcd"
    assert row["title@lt"] == "=1+1"


@sqlite_only
@pytest.mark.parametrize("fmt", ["csv", "xlsx", "geojson"])
def test_lone_surrogate_does_not_cut_the_download_off(api, db, fmt):
    broken = AssetFactory(slug="a-broken")
    AssetFactory(slug="b-fine", title={"en": "Fine"})
    Asset.objects.filter(pk=broken.pk).update(title={"en": "A\ud800B"}, themes=["x\udc00"])

    content = download(api, fmt)

    if fmt == "csv":
        rows = csv_rows(content)
        assert [(r["title@en"], r["themes"]) for r in rows] == [("A?B", "x?"), ("Fine", "")]
    elif fmt == "xlsx":
        rows = xlsx_rows(content)
        assert [(r["title@en"], r["themes"]) for r in rows] == [("AB", "x"), ("Fine", None)]
    else:
        features = json.loads(content)["features"]
        assert [f["properties"]["title"]["en"] for f in features] == ["A?B", "Fine"]
