"""``period``, ``accessibility`` and ``open_now`` on ``/assets`` (ORM) and ``/search`` (index)."""

import pytest

from heco.api.tests.conftest import error_fields
from heco.core.models import Status
from heco.search.index import rebuild
from heco.testing.factories import ServiceFactory


@pytest.fixture
def dated(catalogue, places):
    years = {"manor": (1600, 1700), "park": (1800, None), "tower": (None, 1300)}
    for key, (start, end) in years.items():
        asset = catalogue[key]
        asset.start_year, asset.end_year = start, end
        asset.save()
    ServiceFactory(
        asset=catalogue["manor"],
        organisation=places["library"],
        accessibility=["step-free", "seating"],
        opening_hours="off",
    )
    ServiceFactory(asset=catalogue["tower"], organisation=places["museum"], opening_hours="24/7")
    ServiceFactory(  # not published: neither its accessibility nor its hours count
        asset=catalogue["park"],
        organisation=places["library"],
        accessibility=["tactile"],
        opening_hours="24/7",
        status=Status.DRAFT,
    )
    rebuild()
    return catalogue


def slugs(api, endpoint, **params):
    return {item["slug"] for item in api.get(f"/{endpoint}", {**params, "limit": 100})["items"]}


CASES = [
    ({"period": "1650-1750"}, {"plunge-manor"}),
    ({"period": "1700-1800"}, {"plunge-manor", "manor-park"}),
    ({"period": "1750-"}, {"manor-park"}),
    ({"period": "-1300"}, {"piran-town-walls"}),
    ({"period": "1300"}, {"piran-town-walls"}),
    ({"period": "-500-100"}, set()),
    ({"accessibility": "step-free"}, {"plunge-manor"}),
    ({"accessibility": ["tactile", "seating"]}, {"plunge-manor"}),
    ({"accessibility": "tactile"}, set()),
    ({"open_now": "true"}, {"piran-town-walls"}),
    ({"open_now": "false", "country": "LT"}, {"plunge-manor", "manor-park"}),
    ({"open_now": "true", "period": "1600-1700"}, set()),
]


@pytest.mark.parametrize("endpoint", ["assets", "search"])
@pytest.mark.parametrize(("params", "expected"), CASES, ids=[repr(p) for p, _ in CASES])
def test_new_filters_select_the_same_assets_on_both_endpoints(
    api, dated, endpoint, params, expected
):
    assert slugs(api, endpoint, **params) == expected


def test_new_filters_combine_with_text(api, dated):
    assert slugs(api, "assets", q="dvaras", period="1600-1650") == {"plunge-manor"}
    assert slugs(api, "assets", q="dvaras", period="1800-") == set()


BAD = [
    ({"period": "1700-1500"}, "period"),
    ({"period": "-"}, "period"),
    ({"period": "abc"}, "period"),
    ({"period": "12345-"}, "period"),
    ({"period": "1500--1700-"}, "period"),
    ({"accessibility": "ramp"}, "accessibility"),
    ({"accessibility": ["step-free", "ramp"]}, "accessibility"),
    ({"open_now": "maybe"}, "open_now"),
]


@pytest.mark.parametrize("endpoint", ["assets", "search"])
@pytest.mark.parametrize(("params", "field"), BAD, ids=[repr(p) for p, _ in BAD])
def test_bad_new_filters_are_a_422_naming_the_field(api, db, endpoint, params, field):
    body = api.get(f"/{endpoint}", params, status=422)
    assert field in error_fields(body), body


def test_openapi_lists_the_new_filters(client, db):
    schema = client.get("/api/v1/openapi.json").json()
    for path in ("/api/v1/assets", "/api/v1/search", "/api/v1/export/csv"):
        params = {p["name"] for p in schema["paths"][path]["get"]["parameters"]}
        assert {"period", "accessibility", "open_now"} <= params, path
