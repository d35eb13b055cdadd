import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from heco.testing.factories import EventFactory


def month_of(moment):
    return timezone.localtime(moment).strftime("%Y-%m")


def slugs(response):
    return {occ.event.slug for _day, occs in response.context["days"] for occ in occs}


@pytest.fixture
def month(world):
    return month_of(world["concert"].start)


def test_calendar_shows_published_occurrences_of_the_month(client, world, month):
    response = client.get("/en/calendar/", {"month": month})
    assert response.status_code == 200
    found = slugs(response)
    assert "draft-event" not in found
    assert {"summer-concert", "festa"} <= found
    # the weekly workshop appears once per week that falls in the month
    start, end = world["workshop"].start, world["workshop"].start + dt.timedelta(weeks=5)
    expected = sum(
        1
        for week in range(6)
        if month_of(start + dt.timedelta(weeks=week)) == month
        and start + dt.timedelta(weeks=week) <= end
    )
    occurrences = [
        occ
        for _d, occs in response.context["days"]
        for occ in occs
        if occ.event.slug == "saturday-workshop"
    ]
    assert len(occurrences) == expected


def test_community_filter(client, world, month):
    response = client.get("/en/calendar/", {"month": month, "community": "bevagna"})
    assert slugs(response) == {"festa"}
    assert "/feeds/communities/bevagna.ics" in response.content.decode()


def test_organisation_filter(client, world, month):
    response = client.get(
        "/en/calendar/", {"month": month, "organisation": "samogitian-art-museum"}
    )
    assert "festa" not in slugs(response)
    assert "summer-concert" in slugs(response)
    assert "/feeds/organisations/samogitian-art-museum.ics" in response.content.decode()


def test_audience_and_accessibility_filters(client, world, month):
    families = slugs(client.get("/en/calendar/", {"month": month, "audience": "families"}))
    assert "summer-concert" not in families and "festa" in families
    step_free = slugs(client.get("/en/calendar/", {"month": month, "accessibility": "step-free"}))
    assert step_free == {"summer-concert"}
    both = client.get(
        "/en/calendar/", {"month": month, "audience": "children", "accessibility": "step-free"}
    )
    assert slugs(both) == set()
    assert "No events match in this month." in both.content.decode()


def test_another_month_has_none_of_these_events(client, world):
    assert slugs(client.get("/en/calendar/", {"month": "2001-01"})) == set()


@pytest.mark.parametrize(
    "params",
    [
        {"month": "2026-13"},
        {"month": "garbage"},
        {"month": "1800-01"},
        {"community": "no-such-place"},
        {"organisation": "nobody"},
        {"audience": "aliens"},
        {"accessibility": "teleport"},
    ],
)
def test_bad_filters_give_400_with_an_error_summary(client, world, params):
    response = client.get("/en/calendar/", params)
    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()


def test_calendar_queries_do_not_grow_with_events(client, world, month):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert (
                client.get("/en/calendar/", {"month": month, "community": "plunge"}).status_code
                == 200
            )
        return len(ctx.captured_queries)

    count()  # warm up: the first request reads the network's default language once
    before = count()
    for n in range(8):
        EventFactory(
            slug=f"extra-{n}", organisation=world["museum"], asset=world["oak"],
            start=world["concert"].start + dt.timedelta(hours=n), rrule="FREQ=DAILY;COUNT=3",
        )  # fmt: skip
    assert count() == before
