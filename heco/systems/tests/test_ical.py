import datetime as dt

import pytest
from icalendar import Calendar

from heco.core.models import Status


def parse(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return Calendar.from_ical(response.content)


def events_of(cal):
    return {str(e["UID"]): e for e in cal.walk("VEVENT")}


def test_network_feed_parses_back_with_timezones_uids_and_rrule(client, world, settings):
    settings.SITE_URL = "https://hub.example.org"
    cal = parse(client.get("/feeds/events.ics"))
    events = events_of(cal)
    workshop = events[f"{world['workshop'].pk}@hub.example.org"]
    assert len(events) == 3  # the draft is not published
    assert f"{world['draft_event'].pk}@hub.example.org" not in events
    # every TZID used has its VTIMEZONE
    used = {str(e["DTSTART"].params["TZID"]) for e in cal.walk("VEVENT")}
    defined = {str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")}
    assert used == {"Europe/Vilnius", "Europe/Rome"}
    assert used <= defined
    # RRULE passed through; start in the event's zone
    assert workshop["RRULE"].to_ical() == b"FREQ=WEEKLY;COUNT=6"
    assert workshop.decoded("DTSTART") == world["workshop"].start.replace(microsecond=0)
    assert "DTSTAMP" in workshop
    assert str(workshop["URL"]) == "https://hub.example.org/en/events/saturday-workshop/"
    concert = events[f"{world['concert'].pk}@hub.example.org"]
    assert "Plungė Manor" in str(concert["LOCATION"]) and "Parko g. 1" in str(concert["LOCATION"])
    assert concert["GEO"].latitude == pytest.approx(55.9566)
    assert cal["X-WR-CALNAME"] == "HE.CO Hub events"


def test_uids_and_body_are_stable_across_requests(client, world):
    first = client.get("/feeds/events.ics").content
    second = client.get("/feeds/events.ics").content
    assert first == second
    assert set(events_of(Calendar.from_ical(first))) == set(events_of(Calendar.from_ical(second)))


def test_feed_language_parameter_picks_texts_and_page_urls(client, world):
    cal = parse(client.get("/feeds/events.ics", {"lang": "lt"}))
    urls = {str(e["URL"]) for e in cal.walk("VEVENT")}
    assert all("/lt/events/" in url for url in urls)


def test_community_organisation_and_asset_feeds(client, world):
    def slugs(url):
        return {str(e["SUMMARY"]) for e in parse(client.get(url)).walk("VEVENT")}

    assert slugs("/feeds/communities/bevagna.ics") == {"Festa"}
    assert slugs("/feeds/communities/plunge.ics") == {"Summer concert", "Saturday workshop"}
    assert slugs("/feeds/organisations/comune-di-bevagna.ics") == {"Festa"}
    assert slugs("/feeds/assets/perkunas-oak.ics") == {"Saturday workshop"}
    assert slugs(f"/feeds/events.ics?network={world['network'].slug}") == {
        "Summer concert",
        "Saturday workshop",
        "Festa",
    }


@pytest.mark.parametrize(
    "url",
    [
        "/feeds/communities/nowhere.ics",
        "/feeds/organisations/nobody.ics",
        "/feeds/assets/no-such-asset.ics",
        "/feeds/assets/draft-asset.ics",
        "/feeds/events.ics?network=nope",
    ],
)
def test_unknown_feeds_are_404(client, world, url):
    assert client.get(url).status_code == 404


def test_past_events_drop_out_of_the_feed(client, world):
    old = world["concert"]
    old.start = old.start - dt.timedelta(days=400)
    old.end = old.start + dt.timedelta(hours=2)
    old.last_occurrence = old.end
    old.save()
    cal = parse(client.get("/feeds/events.ics"))
    assert "Summer concert" not in {str(e["SUMMARY"]) for e in cal.walk("VEVENT")}


def test_feed_query_count_is_fixed(client, world, django_assert_max_num_queries):
    from heco.testing.factories import EventFactory

    for n in range(10):
        EventFactory(slug=f"more-{n}", organisation=world["museum"], status=Status.PUBLISHED)
    with django_assert_max_num_queries(2):
        client.get("/feeds/events.ics")


def test_until_is_written_in_utc_as_rfc_5545_requires_with_a_tzid(client, world):
    workshop = world["workshop"]
    workshop.rrule = "FREQ=WEEKLY;UNTIL=20270524;BYDAY=WE"
    workshop.save()
    cal = parse(client.get("/feeds/assets/perkunas-oak.ics"))
    (event,) = cal.walk("VEVENT")
    # the end of 24 May 2027 in Vilnius (UTC+3 in summer) is 20:59:59 UTC
    assert event["RRULE"].to_ical() == b"FREQ=WEEKLY;UNTIL=20270524T205959Z;BYDAY=WE"


def test_vtimezone_covers_the_events_years_and_stays_small(client, world):
    body = client.get("/feeds/events.ics").content
    cal = Calendar.from_ical(body)
    (rome,) = [tz for tz in cal.walk("VTIMEZONE") if str(tz["TZID"]) == "Europe/Rome"]
    assert rome.walk("DAYLIGHT") and rome.walk("STANDARD")
    assert len(body) < 20_000


def test_feed_answers_304_to_a_client_that_holds_it(client, world):
    first = client.get("/feeds/events.ics")
    again = client.get("/feeds/events.ics", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert client.head("/feeds/events.ics").status_code == 200
    assert client.post("/feeds/events.ics").status_code == 405


def _all_day_festa(world, **fields):
    """The Bevagna festa as an all-day event of three days, starting in a week (Rome time)."""
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    from heco.programme import dates
    from heco.programme.services import event_update

    rome = ZoneInfo("Europe/Rome")
    first = timezone.localtime(timezone.now(), rome).date() + dt.timedelta(days=7)
    festa = event_update(
        event=world["festa"],
        all_day=True,
        start=dates.midnight(first, rome),
        end=dates.midnight(first + dt.timedelta(days=3), rome),
        **fields,
    )
    return festa, first


def test_all_day_events_are_dates_in_the_feed_with_an_exclusive_dtend(client, world, settings):
    settings.SITE_URL = "https://hub.example.org"
    festa, first = _all_day_festa(world)
    body = client.get("/feeds/events.ics").content
    event = events_of(parse(client.get("/feeds/events.ics")))[f"{festa.pk}@hub.example.org"]
    # 3 days: DTEND is the day after the last one, as RFC 5545 says for dates
    assert event.decoded("DTSTART") == first
    assert event.decoded("DTEND") == first + dt.timedelta(days=3)
    assert event["DTSTART"].params.get("VALUE") == "DATE" and "TZID" not in event["DTSTART"].params
    assert f"DTSTART;VALUE=DATE:{first:%Y%m%d}".encode() in body
    # the timed events keep their zones
    workshop = events_of(parse(client.get("/feeds/events.ics")))[
        f"{world['workshop'].pk}@hub.example.org"
    ]
    assert str(workshop["DTSTART"].params["TZID"]) == "Europe/Vilnius"


def test_an_all_day_series_has_date_until_and_date_exdates(client, world):
    festa, first = _all_day_festa(world, rrule="FREQ=WEEKLY;UNTIL=20991231")
    festa.exdates = [f"{first + dt.timedelta(days=7):%Y-%m-%d}T00:00:00"]
    festa.save(update_fields=["exdates"])
    cal = parse(client.get("/feeds/communities/bevagna.ics"))
    (event,) = [e for e in cal.walk("VEVENT") if str(e["SUMMARY"]) == "Festa"]
    assert event["RRULE"].to_ical() == b"FREQ=WEEKLY;UNTIL=20991231"
    assert [d.dt for d in event["EXDATE"].dts] == [first + dt.timedelta(days=7)]
    assert event["EXDATE"].params.get("VALUE") == "DATE"
