"""``/search``: assets from the search index, with counts and facets."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from heco.search.index import rebuild
from heco.testing.factories import AssetFactory


@pytest.fixture
def indexed(catalogue):
    rebuild()
    return catalogue


def facet(body, name):
    return {f["value"]: f["count"] for f in body["facets"].get(name, [])}


def test_search_answers_items_counts_and_facets(api, indexed):
    body = api.get("/search")
    assert set(body) == {"items", "count", "count_exact", "facets", "facets_exact"}
    assert body["count"] == 4
    assert {item["slug"] for item in body["items"]} == {
        "plunge-manor",
        "manor-park",
        "piran-town-walls",
        "piran-lace",
    }
    assert facet(body, "country") == {"LT": 2, "SI": 2}
    assert facet(body, "kind") == {"building": 1, "landscape": 1, "monument": 1, "intangible": 1}
    assert facet(body, "theme")["public-space"] == 2
    assert isinstance(body["count_exact"], bool) and isinstance(body["facets_exact"], bool)


def test_search_items_have_the_asset_list_shape(api, indexed):
    item = api.get("/search", {"q": "dvaras", "lang": "en"})["items"][0]
    assert item["slug"] == "plunge-manor"
    assert item["url"] == "http://127.0.0.1:8000/en/assets/plunge-manor/"
    assert item["title_text"] == "Plungė Manor"
    assert item["organisation"]["slug"] == "plunge-library"


def test_search_never_finds_drafts_or_tombstones(api, indexed):
    found = {item["slug"] for item in api.get("/search", {"limit": 100})["items"]}
    assert "secret-draft" not in found and "demolished" not in found


def test_search_text_ignores_diacritics(api, indexed):
    assert [i["slug"] for i in api.get("/search", {"q": "cipka"})["items"]] == ["piran-lace"]
    assert [i["slug"] for i in api.get("/search", {"q": "čipka"})["items"]] == ["piran-lace"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"country": "SI"}, {"piran-town-walls", "piran-lace"}),
        (
            {"country": ["si", "LT"]},
            {"plunge-manor", "manor-park", "piran-town-walls", "piran-lace"},
        ),
        ({"community": "plunge"}, {"plunge-manor", "manor-park"}),
        ({"organisation": "piran-museum"}, {"piran-town-walls", "piran-lace"}),
        ({"kind": ["monument", "landscape"]}, {"piran-town-walls", "manor-park"}),
        ({"theme": "adult-education"}, {"plunge-manor"}),
        ({"bbox": "13,45,14,46"}, {"piran-town-walls"}),
        ({"lat": 55.9155, "lon": 21.8505, "radius": 0.1}, {"manor-park"}),
        ({"q": "dvaro", "country": "LT"}, {"manor-park"}),
    ],
)
def test_each_search_filter(api, indexed, params, expected):
    body = api.get("/search", {**params, "limit": 100})
    assert {item["slug"] for item in body["items"]} == expected
    assert body["count"] == len(expected)


def test_search_facets_can_be_left_out(api, indexed):
    assert api.get("/search", {"facets": "false"})["facets"] == {}


def test_search_pagination_and_offset_past_the_end(api, indexed):
    page = api.get("/search", {"limit": 2, "offset": 2})
    assert len(page["items"]) == 2 and page["count"] == 4
    assert api.get("/search", {"offset": 10**30})["items"] == []


def test_search_does_a_fixed_number_of_queries(api, db):
    AssetFactory.create_batch(3)
    rebuild()
    with CaptureQueriesContext(connection) as small:
        assert api.get("/search", {"limit": 100})["count"] == 3
    AssetFactory.create_batch(27)
    rebuild()
    with CaptureQueriesContext(connection) as large:
        assert api.get("/search", {"limit": 100})["count"] == 30
    assert len(small.captured_queries) == len(large.captured_queries)


def test_asset_list_with_text_does_a_fixed_number_of_queries(api, db):
    AssetFactory.create_batch(3, title={"en": "Old mill"})
    rebuild()
    with CaptureQueriesContext(connection) as small:
        assert api.get("/assets", {"q": "mill", "limit": 100})["count"] == 3
    AssetFactory.create_batch(27, title={"en": "Old mill"})
    rebuild()
    with CaptureQueriesContext(connection) as large:
        assert api.get("/assets", {"q": "mill", "limit": 100})["count"] == 30
    assert len(small.captured_queries) == len(large.captured_queries)
