"""Filters of ``/assets`` (and their validation, shared with ``/search``)."""

import pytest

from heco.api.tests.conftest import error_fields
from heco.testing.factories import AssetFactory


def slugs(api, **params):
    return {item["slug"] for item in api.get("/assets", params)["items"]}


def test_country_filter_accepts_repeated_values_and_any_case(api, catalogue):
    assert slugs(api, country="SI") == {"piran-town-walls", "piran-lace"}
    assert slugs(api, country="lt") == {"plunge-manor", "manor-park"}
    assert len(slugs(api, country=["LT", "SI"])) == 4
    assert slugs(api, country="IT") == set()


def test_community_and_organisation_filters_take_slugs(api, catalogue):
    assert slugs(api, community="plunge") == {"plunge-manor", "manor-park"}
    assert slugs(api, organisation="piran-museum") == {"piran-town-walls", "piran-lace"}
    assert len(slugs(api, organisation=["piran-museum", "plunge-library"])) == 4
    assert slugs(api, community="nowhere") == set()


def test_kind_filter(api, catalogue):
    assert slugs(api, kind="monument") == {"piran-town-walls"}
    assert slugs(api, kind=["monument", "intangible"]) == {"piran-town-walls", "piran-lace"}


def test_theme_filter_matches_any_of_the_assets_themes(api, catalogue):
    assert slugs(api, theme="public-space") == {"plunge-manor", "manor-park"}
    assert slugs(api, theme="adult-education") == {"plunge-manor"}
    assert slugs(api, theme=["adult-education", "entrepreneurship"]) == {
        "plunge-manor",
        "piran-town-walls",
    }
    assert slugs(api, theme="valorization-ethics") == set()


def test_bbox_filter(api, catalogue):
    assert slugs(api, bbox="20.9,55.0,26.9,56.5") == {"plunge-manor", "manor-park"}
    assert slugs(api, bbox="13,45,14,46") == {"piran-town-walls"}
    assert slugs(api, bbox="-10,-10,-5,-5") == set()


def test_radius_filter_orders_by_distance(api, catalogue):
    body = api.get("/assets", {"lat": 55.9155, "lon": 21.8505, "radius": 1})
    assert [item["slug"] for item in body["items"]] == ["manor-park", "plunge-manor"]
    assert slugs(api, lat=55.9155, lon=21.8505, radius=0.1) == {"manor-park"}
    assert slugs(api, lat=45.53, lon=13.57, radius=500) == {"piran-town-walls"}
    # without radius: 10 km
    assert slugs(api, lat=45.6, lon=13.57) == {"piran-town-walls"}
    assert slugs(api, lat=45.7, lon=13.57) == set()


def test_filters_combine(api, catalogue):
    assert slugs(api, country="LT", kind="landscape", theme="public-space") == {"manor-park"}
    assert slugs(api, country="SI", kind="landscape") == set()


def test_query_text_uses_the_search_index(api, catalogue):
    from heco.search.index import rebuild

    rebuild()
    body = api.get("/assets", {"q": "dvaras"})
    assert [item["slug"] for item in body["items"]] == ["plunge-manor"]
    assert body["count"] == 1
    # diacritics ignored
    assert slugs(api, q="plunges", country="LT") == {"plunge-manor"}


BAD = [
    ({"country": "XX1"}, "country"),
    ({"country": "L"}, "country"),
    ({"country": ["LT", "1T"]}, "country"),
    ({"community": "not a slug"}, "community"),
    ({"organisation": "x" * 121}, "organisation"),
    ({"kind": "castle"}, "kind"),
    ({"theme": "cooking"}, "theme"),
    ({"bbox": "1,2,3"}, "bbox"),
    ({"bbox": "1,2,3,4,5"}, "bbox"),
    ({"bbox": "a,b,c,d"}, "bbox"),
    ({"bbox": "30,50,20,55"}, "bbox"),  # minLon > maxLon
    ({"bbox": "20,56,30,55"}, "bbox"),  # minLat > maxLat
    ({"bbox": "-181,0,10,10"}, "bbox"),
    ({"bbox": "0,-91,10,10"}, "bbox"),
    ({"bbox": "0,0,10,nan"}, "bbox"),
    ({"lat": 55.0}, "lon"),
    ({"lon": 21.0}, "lat"),
    ({"lat": 91, "lon": 0}, "lat"),
    ({"lat": 0, "lon": 181}, "lon"),
    ({"lat": "north", "lon": 0}, "lat"),
    ({"lat": "nan", "lon": 0}, "lat"),
    ({"lat": 55, "lon": 21, "radius": 0}, "radius"),
    ({"lat": 55, "lon": 21, "radius": -3}, "radius"),
    ({"lat": 55, "lon": 21, "radius": 501}, "radius"),
    ({"radius": 5}, "radius"),
    ({"q": "bad\x00byte"}, "q"),
    ({"q": "x" * 201}, "q"),
    ({"limit": 101}, "limit"),
    ({"offset": -1}, "offset"),
    ({"lang": "de"}, "lang"),
]


@pytest.mark.parametrize("endpoint", ["assets", "search"])
@pytest.mark.parametrize(("params", "field"), BAD, ids=[f"{f}:{p!r}"[:50] for p, f in BAD])
def test_bad_filter_values_are_a_422_naming_the_field(api, db, endpoint, params, field):
    body = api.get(f"/{endpoint}", params, status=422)
    assert field in error_fields(body), body
    for error in body["detail"]:
        assert error["loc"][0] == "query"
        assert isinstance(error["msg"], str) and error["msg"]


def test_several_bad_values_are_all_reported(api, db):
    body = api.get("/assets", {"country": "XX1", "kind": "castle", "limit": 0}, status=422)
    assert error_fields(body) == {"country", "kind", "limit"}


def test_edge_values_are_accepted(api, db):
    AssetFactory(lat=0.0, lon=0.0)
    assert api.get("/assets", {"bbox": "-180,-90,180,90"})["count"] == 1
    assert api.get("/assets", {"bbox": "0,0,0,0"})["count"] == 1
    assert api.get("/assets", {"lat": 0, "lon": 0, "radius": 500, "limit": 100})["count"] == 1
