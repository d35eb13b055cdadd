"""Filters of ``/services`` and ``/events``, and ``/events/occurrences``."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from heco.api.tests.conftest import error_fields
from heco.core.models import Status
from heco.programme import recurrence
from heco.testing.factories import AssetFactory, EventFactory, OrganisationFactory, ServiceFactory

VILNIUS = ZoneInfo("Europe/Vilnius")


def at(day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2030, 6, day, hour, tzinfo=VILNIUS)


def slugs(api, path, **params):
    return {item["slug"] for item in api.get(path, {**params, "limit": 100})["items"]}


# --- services ----------------------------------------------------------------------------


@pytest.fixture
def services(places, catalogue):
    return {
        "tour": ServiceFactory(
            slug="manor-tour", organisation=places["library"], asset=catalogue["manor"]
        ),
        "reading": ServiceFactory(
            slug="reading-room", organisation=places["library"], kind="reading-room"
        ),
        "walls": ServiceFactory(
            slug="walls-visit",
            organisation=places["library"],  # provided from Plungė, takes place in Piran
            asset=catalogue["tower"],
            kind="visit",
        ),
        "lace": ServiceFactory(slug="lace-course", organisation=places["museum"], kind="course"),
        "hidden": ServiceFactory(
            slug="draft-asset-tour", organisation=places["library"], asset=catalogue["draft"]
        ),
    }


def test_services_filter_by_organisation_and_kind(api, services):
    assert slugs(api, "/services", organisation="piran-museum") == {"lace-course"}
    assert slugs(api, "/services", kind=["visit", "course"]) == {"walls-visit", "lace-course"}
    assert slugs(api, "/services", organisation="plunge-library", kind="reading-room") == {
        "reading-room"
    }


def test_services_community_is_the_place_else_the_provider(api, services):
    assert slugs(api, "/services", community="piran") == {"walls-visit", "lace-course"}
    assert slugs(api, "/services", community="plunge") == {
        "manor-tour",
        "reading-room",
        "draft-asset-tour",
    }


def test_services_filter_by_published_asset_slug_or_id(api, services, catalogue):
    assert slugs(api, "/services", asset="plunge-manor") == {"manor-tour"}
    assert slugs(api, "/services", asset=str(catalogue["tower"].id)) == {"walls-visit"}
    assert slugs(api, "/services", asset=["plunge-manor", "piran-town-walls"]) == {
        "manor-tour",
        "walls-visit",
    }
    assert slugs(api, "/services", asset="secret-draft") == set()


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"kind": "concert"}, "kind"),
        ({"organisation": "not a slug"}, "organisation"),
        ({"community": "x" * 121}, "community"),
        ({"asset": "bad slug!"}, "asset"),
    ],
)
def test_bad_service_filters_are_a_422_naming_the_field(api, db, params, field):
    assert field in error_fields(api.get("/services", params, status=422))


# --- events ------------------------------------------------------------------------------


@pytest.fixture
def calendar(places, catalogue):
    weekly = EventFactory(
        slug="saturday-tours",
        organisation=places["library"],
        start=at(1),  # Saturday 1 June 2030
        end=at(1, 12),
        rrule="FREQ=WEEKLY;BYDAY=SA;COUNT=4",  # 1, 8, 15, 22 June
        audience=["families"],
    )
    weekly.last_occurrence = recurrence.last_occurrence(weekly)
    weekly.save()
    endless = EventFactory(
        slug="monthly-talk",
        organisation=places["museum"],
        start=at(3, 18),
        end=at(3, 19),
        rrule="FREQ=MONTHLY",
        audience=["adults"],
    )
    concert = EventFactory(
        slug="piran-concert",
        organisation=places["library"],
        venue=places["museum"],  # hosted in Piran
        start=at(4, 18),
        end=at(4, 20),
        audience=["adults", "families"],
    )
    manor_day = EventFactory(
        slug="manor-day",
        organisation=places["museum"],
        asset=catalogue["manor"],  # takes place in Plungė
        start=at(20, 9),
        end=None,
        audience=["schools"],
    )
    hidden = EventFactory(slug="draft-event", start=at(4), status=Status.DRAFT)
    return {
        "weekly": weekly,
        "endless": endless,
        "concert": concert,
        "manor_day": manor_day,
        "hidden": hidden,
    }


ALL = {"saturday-tours", "monthly-talk", "piran-concert", "manor-day"}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ALL),
        # Monday to Tuesday 10-11 June: no Saturday, no concert
        ({"from": "2030-06-10", "to": "2030-06-11"}, set()),
        # a date as "to" reaches the end of that day
        ({"from": "2030-06-04", "to": "2030-06-04"}, {"piran-concert"}),
        ({"from": "2030-06-08", "to": "2030-06-08"}, {"saturday-tours"}),
        ({"from": "2030-07-03T17:00", "to": "2030-07-03T18:30"}, {"monthly-talk"}),
        ({"from": "2030-06-04T19:00+03:00", "to": "2030-06-04T19:30+03:00"}, {"piran-concert"}),
        ({"from": "2030-06-04T17:30:00Z", "to": "2030-06-05"}, set()),
        # an event without an end must start inside the window
        ({"from": "2030-06-20T09:00", "to": "2030-06-20T10:00"}, {"manor-day"}),
        ({"from": "2030-06-20T09:30", "to": "2030-06-21"}, set()),
        # only from: not over yet (the weekly tours end on 22 June; the talk never ends)
        ({"from": "2030-06-23"}, {"monthly-talk"}),
        ({"from": "2030-06-21"}, {"monthly-talk", "saturday-tours"}),
        # only to: started before
        ({"to": "2030-06-02"}, {"saturday-tours"}),
    ],
)
def test_events_in_a_time_window(api, calendar, params, expected):
    assert slugs(api, "/events", **params) == expected


def test_events_filter_by_organisation_community_and_audience(api, calendar):
    # organiser or host
    assert slugs(api, "/events", organisation="piran-museum") == {
        "monthly-talk",
        "piran-concert",
        "manor-day",
    }
    # the place's community, else the venue's, else the organiser's
    assert slugs(api, "/events", community="piran") == {"monthly-talk", "piran-concert"}
    assert slugs(api, "/events", community="plunge") == {"saturday-tours", "manor-day"}
    assert slugs(api, "/events", audience="families") == {"saturday-tours", "piran-concert"}
    assert slugs(api, "/events", audience=["schools", "adults"]) == {
        "monthly-talk",
        "piran-concert",
        "manor-day",
    }
    assert slugs(api, "/events", audience="adults", community="plunge") == set()


BAD_EVENTS = [
    ({"from": "yesterday"}, "from"),
    ({"from": "2030-13-01"}, "from"),
    ({"to": "2030-06-01T25:00"}, "to"),
    ({"from": "2030-06-02", "to": "2030-06-01"}, "to"),
    ({"from": "2030-06-02T10:00", "to": "2030-06-02T10:00"}, "to"),
    ({"from": "2030-01-01", "to": "2031-06-01"}, "to"),
    ({"from": "x" * 41}, "from"),
    ({"audience": "pets"}, "audience"),
    ({"community": "not a slug"}, "community"),
    ({"organisation": "not a slug"}, "organisation"),
]


@pytest.mark.parametrize("path", ["/events", "/events/occurrences"])
@pytest.mark.parametrize(("params", "field"), BAD_EVENTS, ids=[repr(p) for p, _ in BAD_EVENTS])
def test_bad_event_filters_are_a_422_naming_the_field(api, db, path, params, field):
    body = api.get(path, params, status=422)
    assert field in error_fields(body), body


# --- occurrences -------------------------------------------------------------------------


def test_occurrences_expand_recurring_events_in_order(api, calendar):
    body = api.get("/events/occurrences", {"from": "2030-06-01", "to": "2030-06-30", "limit": 100})
    got = [(o["event"]["slug"], o["start"]) for o in body["items"]]
    assert body["count"] == len(got) == 4 + 1 + 1 + 1
    assert [start for _slug, start in got] == sorted(start for _slug, start in got)
    tours = [o for o in body["items"] if o["event"]["slug"] == "saturday-tours"]
    assert [o["start"][:16] for o in tours] == [
        "2030-06-01T10:00",
        "2030-06-08T10:00",
        "2030-06-15T10:00",
        "2030-06-22T10:00",
    ]
    first = tours[0]
    assert first["start"].endswith("+03:00") and first["end"].startswith("2030-06-01T12:00")
    assert first["timezone"] == "Europe/Vilnius"
    assert first["event"]["id"] == str(calendar["weekly"].id)
    assert first["event"]["url"] == "http://127.0.0.1:8000/en/events/saturday-tours/"
    manor_day = next(o for o in body["items"] if o["event"]["slug"] == "manor-day")
    assert manor_day["end"] is None


def test_occurrences_filters_and_pages(api, calendar):
    window = {"from": "2030-06-01", "to": "2030-06-30"}
    assert {
        o["event"]["slug"]
        for o in api.get("/events/occurrences", {**window, "community": "piran"})["items"]
    } == {"monthly-talk", "piran-concert"}
    assert {
        o["event"]["slug"]
        for o in api.get("/events/occurrences", {**window, "organisation": "plunge-library"})[
            "items"
        ]
    } == {"saturday-tours", "piran-concert"}
    page = api.get("/events/occurrences", {**window, "limit": 2, "offset": 2, "lang": "lt"})
    assert page["count"] == 7 and len(page["items"]) == 2
    assert page["items"][0]["event"]["url"].startswith("http://127.0.0.1:8000/lt/events/")
    assert "title_text" in page["items"][0]["event"]


def test_occurrences_default_to_the_next_month(api, places):
    soon = EventFactory(organisation=places["library"])  # in three days
    EventFactory(organisation=places["library"], start=at(1).replace(year=2099))
    body = api.get("/events/occurrences")
    assert [o["event"]["slug"] for o in body["items"]] == [soon.slug]


def test_occurrences_take_a_bounded_number_of_queries(api, places, django_assert_max_num_queries):
    org = OrganisationFactory()
    asset = AssetFactory(organisation=org)
    for n in range(12):
        EventFactory(organisation=org, asset=asset, venue=org, start=at(1 + n), rrule="FREQ=DAILY")
    with django_assert_max_num_queries(2):
        body = api.get("/events/occurrences", {"from": "2030-06-01", "to": "2030-06-30"})
    assert body["count"] > 12


def test_all_day_events_say_so_in_events_and_occurrences(api, places):
    from heco.programme.services import event_create

    festival = event_create(
        organisation=places["museum"],
        slug="midsummer-festival",
        title={"en": "Midsummer festival"},
        all_day=True,
        timezone="Europe/Vilnius",
        start=at(23, 0),
        end=dt.datetime(2030, 6, 25, tzinfo=VILNIUS),  # 23 and 24 June: the end is exclusive
        status=Status.PUBLISHED,
    )
    EventFactory(slug="evening-talk", organisation=places["museum"], start=at(24, 18))

    events = {e["slug"]: e for e in api.get("/events", {"limit": 100})["items"]}
    assert events["midsummer-festival"]["all_day"] is True
    assert events["evening-talk"]["all_day"] is False
    assert events["midsummer-festival"]["start"].startswith("2030-06-22T21:00")  # 00:00 Vilnius

    body = api.get("/events/occurrences", {"from": "2030-06-24", "to": "2030-06-24"})
    occurrences = {o["event"]["slug"]: o for o in body["items"]}
    assert occurrences["midsummer-festival"]["all_day"] is True
    assert occurrences["midsummer-festival"]["start"] == "2030-06-23T00:00:00+03:00"
    assert occurrences["midsummer-festival"]["end"] == "2030-06-25T00:00:00+03:00"
    assert occurrences["evening-talk"]["all_day"] is False
    assert festival.all_day
