"""List endpoints: shape, pagination, only public records, fixed number of queries."""

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from heco.api.tests.conftest import API, error_fields
from heco.testing.factories import (
    AssetFactory,
    CommunityFactory,
    EventFactory,
    NetworkFactory,
    OrganisationFactory,
    ServiceFactory,
)

ENDPOINTS = ["organisations", "communities", "networks", "assets", "services", "events"]


def _assert_item_identity(item, section):
    uuid.UUID(item["id"])
    assert item["slug"]
    assert item["url"] == f"http://127.0.0.1:8000/en/{section}/{item['slug']}/"


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_every_list_answers_items_and_count_with_id_slug_and_url(api, programme, endpoint):
    body = api.get(f"/{endpoint}")
    assert set(body) == {"items", "count"}
    assert body["count"] == len(body["items"]) > 0
    for item in body["items"]:
        _assert_item_identity(item, endpoint)


def test_public_urls_follow_settings_site_url_and_lang(api, catalogue, settings):
    settings.SITE_URL = "https://hub.example.org"
    item = api.get("/assets", {"lang": "lt", "organisation": "plunge-library"})["items"][0]
    assert item["url"] == f"https://hub.example.org/lt/assets/{item['slug']}/"
    assert item["organisation"]["url"] == "https://hub.example.org/lt/organisations/plunge-library/"


def test_asset_list_shows_only_published_assets(api, catalogue):
    slugs = {item["slug"] for item in api.get("/assets")["items"]}
    assert slugs == {"plunge-manor", "manor-park", "piran-town-walls", "piran-lace"}


def test_service_and_event_lists_show_only_published_records(api, programme):
    services = {item["slug"] for item in api.get("/services")["items"]}
    events = {item["slug"] for item in api.get("/events")["items"]}
    assert services == {"manor-tour", "draft-place-tour"}
    assert events == {"manor-concert"}


def test_a_service_never_links_to_an_unpublished_asset(api, programme):
    items = {item["slug"]: item for item in api.get("/services")["items"]}
    assert items["draft-place-tour"]["asset"] is None
    assert items["manor-tour"]["asset"]["slug"] == "plunge-manor"


def test_asset_item_carries_its_organisation_community_and_country(api, catalogue):
    item = api.get("/assets", {"community": "piran", "kind": "monument"})["items"][0]
    assert item["slug"] == "piran-town-walls"
    assert item["country"] == "SI"
    assert item["organisation"]["slug"] == "piran-museum"
    assert item["community"]["slug"] == "piran"
    assert item["themes"] == ["entrepreneurship"]
    assert item["title"] == {"sl": "Mestno obzidje", "it": "Mura di Pirano"}


def test_network_lists_its_organisations(api, places):
    item = api.get("/networks")["items"][0]
    assert [o["slug"] for o in item["organisations"]] == ["piran-museum", "plunge-library"]


def test_limit_and_offset_page_through_results(api, db):
    AssetFactory.create_batch(25)
    first = api.get("/assets")
    assert first["count"] == 25 and len(first["items"]) == 20
    second = api.get("/assets", {"limit": 10, "offset": 20})
    assert len(second["items"]) == 5
    all_slugs = [i["slug"] for i in api.get("/assets", {"limit": 100})["items"]]
    assert [i["slug"] for i in second["items"]] == all_slugs[20:]


def test_an_offset_past_the_end_gives_an_empty_page(api, catalogue):
    body = api.get("/assets", {"offset": 10**30})
    assert body == {"items": [], "count": 4}


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 101}, "limit"),
        ({"limit": 0}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"offset": -1}, "offset"),
        ({"lang": "fr"}, "lang"),
    ],
)
def test_bad_paging_or_language_is_a_422_naming_the_field(api, db, endpoint, params, field):
    body = api.get(f"/{endpoint}", params, status=422)
    assert field in error_fields(body)
    assert all({"loc", "msg", "type"} <= set(e) for e in body["detail"])


def _make(endpoint: str, n: int):
    if endpoint == "communities":
        CommunityFactory.create_batch(n, parent=CommunityFactory())
    elif endpoint == "organisations":
        OrganisationFactory.create_batch(n)
    elif endpoint == "networks":
        orgs = OrganisationFactory.create_batch(3)
        for network in NetworkFactory.create_batch(n):
            network.organisations.add(*orgs)
    elif endpoint == "assets":
        AssetFactory.create_batch(n)
    elif endpoint == "services":
        ServiceFactory.create_batch(n, asset=AssetFactory())
    elif endpoint == "events":
        org = OrganisationFactory()
        EventFactory.create_batch(n, asset=AssetFactory(), venue=org)


def _queries_for(api, endpoint, params):
    with CaptureQueriesContext(connection) as ctx:
        body = api.get(f"/{endpoint}", {"limit": 100, "lang": "lt", **params})
    return len(ctx.captured_queries), body


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_lists_do_the_same_number_of_queries_for_3_and_30_records(
    api, db, endpoint, django_assert_max_num_queries
):
    _make(endpoint, 3)
    small, body = _queries_for(api, endpoint, {})
    assert body["count"] >= 3
    _make(endpoint, 27)
    with django_assert_max_num_queries(small):
        large, body = _queries_for(api, endpoint, {})
    assert body["count"] >= 30
    assert small == large <= 3


def test_filtered_asset_list_does_a_fixed_number_of_queries(api, db):
    params = {"country": "LT", "theme": "public-space", "lat": 55.95, "lon": 21.85, "radius": 50}
    AssetFactory.create_batch(3, themes=["public-space"])
    small, body = _queries_for(api, "assets", params)
    assert body["count"] == 3
    AssetFactory.create_batch(27, themes=["public-space"])
    large, body = _queries_for(api, "assets", params)
    assert body["count"] == 30
    assert small == large == 2


def test_lists_answer_on_the_project_urls(client, db):
    assert client.get(f"{API}/assets").status_code == 200
