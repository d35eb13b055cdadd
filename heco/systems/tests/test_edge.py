"""Edge cases found by an adversarial audit: unpublished records behind stops, benefits and
events must not show; text that breaks XML or iCalendar must not break the exports."""

import datetime as dt
import io
import json

import gpxpy
import pytest
from django.utils import timezone
from icalendar import Calendar
from pypdf import PdfReader

from heco.core.models import Status
from heco.systems import routing
from heco.systems.models import PassBenefit, Route
from heco.systems.tests.conftest import make_route
from heco.testing.factories import AssetFactory, EventFactory, ServiceFactory

SECRET = "Secret unpublished place"


@pytest.fixture
def hidden(world):
    """Unpublished records (draft, withdrawn, deleted) with a recognisable title and place."""
    museum = world["museum"]
    draft = world["draft_asset"]
    draft.title = {"en": f"{SECRET} draft"}
    draft.lat, draft.lon = 10.125, 10.125
    draft.address = "Hidden street 7"
    draft.save()
    return {
        "draft": draft,
        "withdrawn": AssetFactory(
            slug="withdrawn-asset",
            title={"en": f"{SECRET} withdrawn"},
            organisation=museum,
            status=Status.WITHDRAWN,
            lat=11.125,
            lon=11.125,
        ),  # fmt: skip
        "deleted": AssetFactory(
            slug="deleted-asset",
            title={"en": f"{SECRET} deleted"},
            organisation=museum,
            status=Status.DELETED,
            lat=12.125,
            lon=12.125,
        ),  # fmt: skip
        "service": ServiceFactory(
            slug="draft-service",
            name={"en": f"{SECRET} service"},
            organisation=museum,
            status=Status.DRAFT,
        ),  # fmt: skip
    }


def test_stops_linked_to_unpublished_records_are_left_out_of_every_output(client, world, hidden):
    make_route(
        "mixed",
        world["museum"],
        [
            {"asset": hidden["draft"]},
            {"asset": world["manor"]},
            {"asset": hidden["withdrawn"]},
            {"asset": hidden["deleted"]},
            {"service": hidden["service"]},
            {"asset": world["piazza"]},
        ],
    )
    for suffix in ("/", "/print/", ".gpx", ".geojson"):
        body = client.get(f"/en/routes/mixed{suffix}").content.decode()
        assert SECRET not in body, suffix
        assert "10.125" not in body and "11.125" not in body and "12.125" not in body, suffix
    gpx = gpxpy.parse(client.get("/en/routes/mixed.gpx").content.decode())
    assert [w.name for w in gpx.waypoints] == ["1. Plungė Manor", "2. Piazza Silvestri"]
    features = json.loads(client.get("/en/routes/mixed.geojson").content)["features"]
    assert features[0]["geometry"]["coordinates"] == [[21.8449, 55.9566], [12.609, 42.9335]]
    pdf = PdfReader(io.BytesIO(client.get("/en/routes/mixed.pdf").content))
    assert SECRET not in "\n".join(page.extract_text() for page in pdf.pages)
    plan = routing.plan(Route.objects.get(slug="mixed"))
    assert plan.dwell_minutes == 2 * routing.DEFAULT_DWELL_MINUTES["walk"]


def test_a_service_stop_is_not_placed_at_its_unpublished_asset(world, hidden):
    service = ServiceFactory(slug="at-draft", organisation=world["museum"], asset=hidden["draft"])
    route = make_route("service-walk", world["museum"], [{"service": service}])
    museum = world["museum"]
    assert routing.plan(route).points == [(museum.lat, museum.lon)]


def test_gpx_stays_valid_xml_with_control_characters_and_markup(client, world):
    make_route(
        "maltese-only",
        world["museum"],
        [
            {
                "name": {"mt": "Il-Knisja \x0b& <Santa Marija>"},
                "lat": 35.9,
                "lon": 14.5,
                "note": {"mt": "Daħla\x01 b'xejn"},
            },  # fmt: skip
            {"asset": world["piazza"]},
        ],
        title={"mt": "Rotta \x02& <Malta>"},
        summary={"mt": "Sommarju\x0c"},
    )
    response = client.get("/lt/routes/maltese-only.gpx")
    assert response.status_code == 200
    gpx = gpxpy.parse(response.content.decode())
    assert gpx.name == "Rotta & <Malta>"
    assert gpx.description == "Sommarju"
    names = [w.name for w in gpx.waypoints]
    assert names == ["1. Il-Knisja & <Santa Marija>", "2. Piazza Silvestri"]
    assert gpx.waypoints[0].comment == "Daħla b'xejn"
    assert (gpx.waypoints[0].latitude, gpx.waypoints[0].longitude) == (35.9, 14.5)
    assert len(gpx.routes[0].points) == 2


def test_feeds_do_not_name_an_unpublished_asset_and_carry_no_control_characters(
    client, world, hidden
):
    event = EventFactory(
        slug="at-a-draft", title={"en": "Open\x0b day"}, description={"en": "Bring\x01 a hat"},
        organisation=world["museum"], asset=hidden["draft"], timezone="Europe/Vilnius",
        start=timezone.now() + dt.timedelta(days=4),
    )  # fmt: skip
    for url in ("/feeds/events.ics", "/feeds/organisations/samogitian-art-museum.ics"):
        body = client.get(url).content
        assert SECRET.encode() not in body and b"Hidden street" not in body, url
        assert b"10.125" not in body, url
        assert not any(byte < 32 and byte not in b"\r\n\t" for byte in body), url
        vevents = Calendar.from_ical(body).walk("VEVENT")
        found = [e for e in vevents if e["UID"].startswith(str(event.pk))]
        assert str(found[0]["SUMMARY"]) == "Open day"
        assert str(found[0]["DESCRIPTION"]) == "Bring a hat"
        # the organiser's place instead
        assert str(found[0]["LOCATION"]) == "Samogitian Art Museum"


def test_pass_map_does_not_place_a_benefit_at_an_unpublished_asset(client, world, hidden):
    PassBenefit.objects.create(
        heritage_pass=world["pass"], organisation=world["museum"], asset=hidden["draft"],
        kind="stamp", position=9,
    )  # fmt: skip
    html = client.get("/en/passes/heco-pass/").content.decode()
    assert SECRET not in html and "10.125" not in html
    data = json.loads(html.split('id="pass-map-data">')[1].split("</script>")[0])
    museum = world["museum"]
    assert data[-1]["lat"] == museum.lat and data[-1]["lon"] == museum.lon
    assert data[-1]["url"] == "/en/organisations/samogitian-art-museum/"


def pdf_text(response) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)


def test_route_pdf_follows_an_edited_stop_and_a_withdrawn_asset(client, world):
    url = "/en/routes/plunge-manor-walk.pdf"
    assert "Start at the palace." in pdf_text(client.get(url))
    stop = world["walk"].stops.get(position=1)
    stop.note = {"en": "Meet at the lions."}
    stop.save()
    text = pdf_text(client.get(url))
    assert "Meet at the lions." in text and "Start at the palace." not in text
    world["oak"].status = Status.WITHDRAWN
    world["oak"].save()
    assert "Perkūnas oak" not in pdf_text(client.get(url))
