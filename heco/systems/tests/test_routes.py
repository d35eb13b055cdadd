import io
import json
import math

import gpxpy
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from heco.core.geo import haversine_km
from heco.core.models import Status
from heco.systems import routing
from heco.systems.models import Route
from heco.systems.tests.conftest import make_route


def test_walk_distance_is_the_sum_of_haversine_legs_in_stop_order(world):
    route = Route.objects.get(slug="plunge-manor-walk")
    plan = routing.plan(route)
    manor, oak, cafe = world["manor"], world["oak"], world["cafe"]
    # the service stop is located at its asset (the manor), the partner at the café
    expected = (
        haversine_km(manor.lat, manor.lon, oak.lat, oak.lon)
        + haversine_km(oak.lat, oak.lon, manor.lat, manor.lon)
        + haversine_km(manor.lat, manor.lon, cafe.lat, cafe.lon)
    )
    assert plan.distance_km == pytest.approx(expected)
    assert len(plan.legs) == 3


def test_duration_is_travel_at_mode_speed_plus_dwell_per_stop(world):
    plan = routing.plan(world["walk"])
    travel = math.ceil(plan.distance_km / 4.5 * 60)
    # four stops: three at the walking default of 20 minutes, one set to 5
    assert plan.travel_minutes == travel
    assert plan.dwell_minutes == 20 * 3 + 5
    assert plan.duration_minutes == travel + 65


def test_car_route_uses_car_speed_and_spans_two_countries(world):
    plan = routing.plan(world["drive"])
    assert plan.countries == ["LT", "IT"]
    assert plan.distance_km > 1500  # Plungė – Bologna – Bevagna, straight lines
    assert plan.travel_minutes == math.ceil(plan.distance_km / 50 * 60)
    assert plan.dwell_minutes == 3 * routing.DEFAULT_DWELL_MINUTES["car"]


def test_stop_without_location_adds_dwell_but_no_distance(world):
    world["oak"].lat = world["oak"].lon = None
    world["oak"].save()
    plan = routing.plan(Route.objects.get(slug="plunge-manor-walk"))
    assert len(plan.located_stops) == 3
    assert plan.dwell_minutes == 65


def test_route_page_shows_stops_map_data_and_downloads(client, world):
    response = client.get(reverse("systems:route", kwargs={"slug": "plunge-manor-walk"}))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Plungė manor walk" in html
    assert "Amber Café" in html
    assert "(Lithuania)" in html
    assert 'data-route-map="route-map-data"' in html
    assert "<script>" not in html  # CSP: data blocks only, no inline code
    data = json.loads(html.split('id="route-map-data">')[1].split("</script>")[0])
    assert [p["n"] for p in data["points"]] == [1, 2, 3, 4]
    assert data["points"][0]["url"] == reverse("site:asset", kwargs={"slug": "plunge-manor"})
    for name in ("systems:route-gpx", "systems:route-geojson", "systems:route-pdf"):
        assert reverse(name, kwargs={"slug": "plunge-manor-walk"}) in html


def test_route_list_lists_published_routes_only(client, world):
    make_route("secret-draft", world["museum"], [], status=Status.DRAFT)
    response = client.get(reverse("systems:routes"))
    html = response.content.decode()
    assert "Plungė manor walk" in html and "From Samogitia to Umbria" in html
    assert "secret-draft" not in html


@pytest.mark.parametrize("suffix", ["", ".gpx", ".geojson", ".pdf", "/print"])
def test_unknown_or_draft_route_is_404(client, world, suffix):
    make_route("draft-route", world["museum"], [], status=Status.DRAFT)
    for slug in ("no-such-route", "draft-route"):
        url = f"/en/routes/{slug}{suffix}"
        url += "/" if suffix in ("", "/print") else ""
        assert client.get(url).status_code == 404, url


def test_tombstoned_route_is_gone(client, world):
    route = world["walk"]
    route.tombstone()
    route.save()
    assert client.get("/en/routes/plunge-manor-walk/").status_code == 410


def test_gpx_of_a_route_spanning_two_countries_reads_back_with_gpxpy(client, world):
    response = client.get("/en/routes/amber-to-umbria.gpx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/gpx+xml")
    gpx = gpxpy.parse(response.content.decode())
    assert gpx.name == "From Samogitia to Umbria"
    assert [w.name for w in gpx.waypoints] == [
        "1. Plungė Manor",
        "2. Rest stop in Bologna",
        "3. Piazza Silvestri",
    ]
    assert gpx.waypoints[0].latitude == pytest.approx(55.9566)
    assert gpx.waypoints[2].longitude == pytest.approx(12.6090)
    assert len(gpx.routes) == 1 and len(gpx.routes[0].points) == 3
    # gpxpy measures the same straight-line length as our plan (within 0.5 %)
    plan = routing.plan(world["drive"])
    assert gpx.routes[0].length() / 1000 == pytest.approx(plan.distance_km, rel=0.005)


def test_geojson_is_a_valid_feature_collection_in_lon_lat_order(client, world):
    response = client.get("/en/routes/amber-to-umbria.geojson")
    assert response["Content-Type"] == "application/geo+json"
    data = json.loads(response.content)
    assert data["type"] == "FeatureCollection"
    line, *points = data["features"]
    assert line["geometry"]["type"] == "LineString"
    assert line["geometry"]["coordinates"][0] == [21.8449, 55.9566]
    assert line["properties"]["countries"] == ["LT", "IT"]
    assert [p["properties"]["number"] for p in points] == [1, 2, 3]
    for feature in data["features"]:
        assert feature["type"] == "Feature"
        coords = feature["geometry"]["coordinates"]
        pairs = coords if feature["geometry"]["type"] == "LineString" else [coords]
        for lon, lat in pairs:
            assert -180 <= lon <= 180 and -90 <= lat <= 90


def test_route_pdf_is_a4_with_extractable_text(client, world):
    response = client.get("/en/routes/amber-to-umbria.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "From Samogitia to Umbria" in text
    assert "Piazza Silvestri" in text and "Plungė Manor" in text


def test_route_pdf_in_a5_and_refuses_other_sizes(client, world):
    response = client.get("/lt/routes/plunge-manor-walk.pdf?size=A5")
    box = PdfReader(io.BytesIO(response.content)).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (420, 595)
    assert (
        "Pasivaikščiojimas po dvarą"
        in PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    )
    assert client.get("/en/routes/plunge-manor-walk.pdf?size=A0").status_code == 400


def test_printable_page_has_print_stylesheet_and_schematic(client, world):
    response = client.get("/en/routes/amber-to-umbria/print/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'media="print"' in html and "systems/print.css" in html
    assert "<svg" in html and 'role="img"' in html


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_route_pages_do_a_fixed_number_of_queries(client, world):
    _queries(client, "/en/routes/")  # warm up: per-process lookups
    list_before = _queries(client, "/en/routes/")
    detail_before = _queries(client, "/en/routes/plunge-manor-walk/")
    gpx_before = _queries(client, "/en/routes/plunge-manor-walk.gpx")
    for n in range(5):
        make_route(
            f"extra-{n}",
            world["comune"],
            [{"asset": world["piazza"]}, {"service": world["tours"]}],
        )
    walk = world["walk"]
    for position in range(10, 16):
        walk.stops.create(position=position, asset=world["piazza"])
    assert _queries(client, "/en/routes/") == list_before
    assert _queries(client, "/en/routes/plunge-manor-walk/") == detail_before
    assert _queries(client, "/en/routes/plunge-manor-walk.gpx") == gpx_before
    assert list_before <= 4


def test_route_page_is_cached_and_an_edited_stop_retires_it(client, world, page_cache):
    url = "/en/routes/plunge-manor-walk/"
    assert client.get(url)["X-Page-Cache"] == "miss"
    assert client.get(url)["X-Page-Cache"] == "hit"
    stop = world["walk"].stops.get(position=1)
    stop.note = {"en": "Meet at the lions."}
    stop.save()
    response = client.get(url)
    assert response["X-Page-Cache"] == "miss"
    assert "Meet at the lions." in response.content.decode()
