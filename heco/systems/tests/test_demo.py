import gpxpy
import pytest

from heco.demo.loader import build_demo, remove_demo
from heco.systems import routing
from heco.systems.demo import load_demo_systems
from heco.systems.models import HeritagePass, Route


@pytest.fixture
def demo(db):
    build_demo(images=False)
    return load_demo_systems()


def test_demo_systems_load_routes_and_a_pass_on_the_demo_network(client, demo):
    assert demo.routes == 3 and demo.passes == 1 and demo.benefits == 7
    drive = Route.objects.get(slug="manors-alps-to-umbria")
    plan = routing.plan(drive)
    assert plan.countries == ["SI", "IT"]
    assert len(plan.located_stops) == 6
    walk = routing.plan(Route.objects.get(slug="plunge-manor-walk"))
    assert walk.distance_km < 15  # a walk stays in town
    gpx = gpxpy.parse(client.get("/it/routes/manors-alps-to-umbria.gpx").content.decode())
    assert len(gpx.waypoints) == 6
    assert client.get("/en/passes/heco-heritage-pass/").status_code == 200
    assert client.get("/en/routes/").status_code == 200
    assert client.get("/en/service-map/").status_code == 200


def test_demo_systems_load_twice_and_go_with_the_demo(demo):
    again = load_demo_systems()
    assert again.routes == 3
    assert Route.objects.count() == 3 and HeritagePass.objects.count() == 1
    remove_demo()
    assert Route.objects.count() == 0 and HeritagePass.objects.count() == 0
