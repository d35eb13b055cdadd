import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from heco.core.geo import haversine_km
from heco.programme.models import Service
from heco.systems import service_map
from heco.testing.factories import (
    AssetFactory,
    CommunityFactory,
    OrganisationFactory,
    ServiceFactory,
)


def brute_force(communities, points, radius, kinds):
    """The obvious O(communities × services) answer."""
    out = {}
    for community in communities:
        for kind in kinds:
            same = [p for p in points if p.kind == kind]
            if any(p.community_id == community.pk for p in same):
                status = service_map.HERE
            elif any(
                haversine_km(community.lat, community.lon, p.lat, p.lon) <= radius for p in same
            ):
                status = service_map.NEARBY
            else:
                status = service_map.MISSING
            out[(community.slug, kind)] = status
    return out


@pytest.fixture
def scattered(db):
    """Seeded random communities and services around the Baltic and the Adriatic."""
    rng = random.Random(4)
    communities, kinds = [], ["course", "library-lending", "exhibition", "guided-tour"]
    for n in range(14):
        base_lat, base_lon = rng.choice([(55.9, 21.8), (46.1, 14.3)])
        community = CommunityFactory(
            slug=f"c-{n}",
            lat=base_lat + rng.uniform(-0.5, 0.5),
            lon=base_lon + rng.uniform(-0.7, 0.7),
        )
        communities.append(community)
    for n in range(40):
        community = rng.choice(communities)
        org = OrganisationFactory(
            slug=f"o-{n}",
            community=community,
            lat=community.lat + rng.uniform(-0.15, 0.15),
            lon=community.lon + rng.uniform(-0.15, 0.15),
        )
        asset = None
        if n % 3 == 0:  # located at an asset in another community, some way off
            other = rng.choice(communities)
            asset = AssetFactory(
                slug=f"a-{n}", organisation=org, community=other,
                lat=other.lat + 0.05, lon=other.lon - 0.05,
            )  # fmt: skip
        ServiceFactory(slug=f"s-{n}", organisation=org, asset=asset, kind=rng.choice(kinds))
    ServiceFactory(slug="draft-s", organisation=org, kind="research", status="draft")
    return communities, kinds


@pytest.mark.parametrize("radius", [5, 20, 60])
def test_gaps_match_a_brute_force_computation(scattered, radius):
    communities, kinds = scattered
    points = service_map.load_service_points()
    assert len(points) == 40  # drafts are left out
    rows = service_map.compute(radius_km=radius, kinds=kinds)
    got = {(row.community.slug, cell.kind): cell.status for row in rows for cell in row.cells}
    assert got == brute_force(service_map.load_communities(), points, radius, kinds)
    statuses = set(got.values())
    assert service_map.MISSING in statuses or radius == 60


def test_nearest_distance_is_exact_for_nearby_cells(scattered):
    points = service_map.load_service_points()
    for row in service_map.compute(radius_km=30):
        for cell in row.cells:
            if cell.status == service_map.NEARBY:
                expected = min(
                    haversine_km(row.community.lat, row.community.lon, p.lat, p.lon)
                    for p in points
                    if p.kind == cell.kind
                )
                assert cell.nearest_km == pytest.approx(expected)


def test_a_missing_research_service_is_a_gap_in_every_community(scattered):
    rows = service_map.compute(radius_km=20)
    for row in rows:
        research = next(c for c in row.cells if c.kind == Service.Kind.RESEARCH)
        assert research.status == service_map.MISSING
        assert research.nearest_km is None


def test_service_map_page_table_and_map(client, world):
    response = client.get("/en/service-map/", {"radius": "20"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<caption" in html and 'scope="row"' in html and 'scope="col"' in html
    assert 'id="community-plunge"' in html and "Missing" in html
    assert 'id="service-map-data"' in html
    rows = {row.community.slug: row for row in response.context["rows"]}
    tours = next(c for c in rows["plunge"].cells if c.kind == "guided-tour")
    assert tours.status == service_map.HERE
    assert next(c for c in rows["bevagna"].cells if c.kind == "guided-tour").status == "missing"
    only_it = client.get("/en/service-map/", {"country": "IT"})
    assert [r.community.slug for r in only_it.context["rows"]] == ["bevagna"]


@pytest.mark.parametrize(
    "params", [{"radius": "0"}, {"radius": "9999"}, {"radius": "x"}, {"country": "lt1"}]
)
def test_service_map_bad_input_is_400(client, world, params):
    assert client.get("/en/service-map/", params).status_code == 400


def test_service_map_query_count_is_fixed(client, scattered):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/en/service-map/").status_code == 200
        return len(ctx.captured_queries)

    count()
    before = count()
    for n in range(10):
        ServiceFactory(slug=f"more-{n}", organisation=OrganisationFactory(slug=f"more-o-{n}"))
        CommunityFactory(slug=f"more-c-{n}", lat=50 + n / 10, lon=10)
    assert count() == before <= 3


@pytest.fixture
def unplaced(world):
    """A community with no coordinates: its library lends books (the library has no
    coordinates either), and nothing else is known about it."""
    rietavas = CommunityFactory(
        slug="rietavas", name={"lt": "Rietavas"}, country="LT", default_language="lt",
        lat=None, lon=None,
    )  # fmt: skip
    library = OrganisationFactory(
        slug="rietavas-library", community=rietavas, kind="library", lat=None, lon=None
    )
    ServiceFactory(slug="rietavas-lending", organisation=library, kind="library-lending")
    return rietavas


def test_a_community_without_coordinates_stays_in_the_computation(unplaced):
    rows = {row.community.slug: row for row in service_map.compute(radius_km=20)}
    row = rows["rietavas"]
    assert not row.placed
    cells = {cell.kind: cell for cell in row.cells}
    lending = cells[Service.Kind.LENDING]
    assert (lending.status, lending.count_here) == (service_map.HERE, 1)
    others = [cell for kind, cell in cells.items() if kind != Service.Kind.LENDING]
    assert {cell.status for cell in others} == {service_map.UNKNOWN}
    assert all(cell.nearest_km is None for cell in others)
    assert row.gaps == []  # not computable is not a gap
    assert rows["plunge"].placed and rows["plunge"].gaps  # placed ones are as before


def test_service_map_page_lists_an_unplaced_community_in_the_table_only(client, unplaced):
    response = client.get("/en/service-map/", {"radius": "20"})
    assert response.status_code == 200
    html = response.content.decode()
    slugs = [row.community.slug for row in response.context["rows"]]
    assert "rietavas" in slugs and "plunge" in slugs
    assert 'id="community-rietavas"' in html
    row_html = html.split('id="community-rietavas"', 1)[1].split("</tr>", 1)[0]
    assert "No location recorded." in row_html  # marked as not placed
    assert "Here (1)" in row_html
    assert "Cannot be computed" in row_html and "Missing" not in row_html
    assert "cannot be computed for them" in html  # the table says why
    urls = [point["url"] for point in response.context["map_data"]]
    assert "#community-rietavas" not in urls and "#community-plunge" in urls
    assert all(point["lat"] is not None for point in response.context["map_data"])
    only_lt = client.get("/en/service-map/", {"country": "LT"})
    assert "rietavas" in [row.community.slug for row in only_lt.context["rows"]]


def test_service_map_with_only_unplaced_communities_shows_the_table_without_a_map(client, db):
    community = CommunityFactory(slug="nowhere", lat=None, lon=None)
    ServiceFactory(
        slug="nowhere-tours",
        organisation=OrganisationFactory(slug="nowhere-org", community=community, lat=None,
                                         lon=None),
    )  # fmt: skip
    response = client.get("/en/service-map/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="community-nowhere"' in html
    assert 'id="service-map-data"' not in html
