"""All-day events from other systems and back: an iCalendar feed with VALUE=DATE events (a
festival, a one-day open day on the daylight-saving day, a weekly series with EXDATE, RDATE
and a moved occurrence, all as dates) and a schema.org page with date-only startDate/endDate,
served by a local HTTP server; then our own feed, parsed with the icalendar library and
harvested again."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from heco.harvest.models import HarvestRun, SourceRecord
from heco.harvest.services import source_add, source_harvest
from heco.harvest.tests.conftest import FIXTURES
from heco.programme import dates, recurrence
from heco.programme.models import Event
from heco.systems.ical import build_calendar
from heco.testing.factories import OrganisationFactory

VILNIUS = ZoneInfo("Europe/Vilnius")
ROME = ZoneInfo("Europe/Rome")

pytestmark = pytest.mark.django_db


def at(day: str, zone=VILNIUS) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(tzinfo=zone)


def event_of(identifier: str) -> Event:
    return SourceRecord.objects.get(identifier=identifier).event


def harvest_ics(remote, provider, body: bytes) -> HarvestRun:
    remote.routes["/all-day.ics"] = body
    source = source_add(kind="ical", url=remote.base + "/all-day.ics", organisation=provider)
    return source_harvest(source=source)


def harvest_again(run: HarvestRun) -> HarvestRun:
    return source_harvest(source=run.source)


def test_an_icalendar_feed_of_dates_becomes_all_day_events(remote, provider):
    run = harvest_ics(remote, provider, (FIXTURES / "all_day.ics").read_bytes())

    assert run.status == HarvestRun.Status.COMPLETED, run.errors
    assert (run.created, run.failed) == (6, 0)
    festival = event_of("festival@plunge.example.lt")
    # DTEND;VALUE=DATE:20270504 is exclusive: 1, 2 and 3 May
    assert festival.all_day and festival.timezone == "Europe/Vilnius"
    assert (festival.start, festival.end) == (at("2027-05-01"), at("2027-05-04"))
    assert festival.last_occurrence == at("2027-05-04")
    # no DTEND: one day, here the 23-hour day the clocks go forward
    open_day = event_of("open-day@plunge.example.lt")
    assert open_day.all_day
    assert (open_day.start, open_day.end) == (at("2027-03-28"), at("2027-03-29"))

    market = event_of("market@plunge.example.lt")
    assert market.all_day and market.rrule == "FREQ=WEEKLY;UNTIL=20270410;BYDAY=SA"
    # EXDATE 20 March; 3 April moved to Friday 2 April (RECURRENCE-ID as a date)
    assert market.exdates == ["2027-03-20T00:00:00", "2027-04-03T00:00:00"]
    found = recurrence.occurrences(market, at("2027-03-01"), at("2027-05-01"))
    assert [(o.start.date().isoformat(), o.end.date().isoformat()) for o in found] == [
        ("2027-03-06", "2027-03-07"),
        ("2027-03-13", "2027-03-14"),
        ("2027-03-27", "2027-03-28"),  # across the clock change, still midnight to midnight
        ("2027-04-10", "2027-04-11"),
    ]
    assert {(o.start.hour, o.end.hour) for o in found} == {(0, 0)}
    assert market.last_occurrence == at("2027-04-11")
    moved = event_of("market@plunge.example.lt#20270402T210000Z")
    assert moved.all_day and not moved.rrule
    assert (moved.start, moved.end) == (at("2027-04-02"), at("2027-04-03"))
    assert moved.title == {"lt": "Easter market (on Friday)"}  # the provider's language
    extra = event_of("market@plunge.example.lt#20270414T210000Z")  # RDATE 15 April
    assert extra.all_day and (extra.start, extra.end) == (at("2027-04-15"), at("2027-04-16"))

    talk = event_of("talk@plunge.example.lt")
    assert not talk.all_day
    assert talk.start == dt.datetime(2027, 5, 1, 18, 0, tzinfo=VILNIUS)

    again = harvest_again(run)
    assert (again.created, again.updated, again.failed) == (0, 0, 0)


def test_our_feed_gives_dates_back_and_harvests_into_the_same_days(remote, provider):
    harvest_ics(remote, provider, (FIXTURES / "all_day.ics").read_bytes())
    events = list(Event.objects.filter(organisation=provider).order_by("start"))

    body = build_calendar(events, name="Plungė", lang="lt")
    feed = Calendar.from_ical(body)
    by_title = {str(c["SUMMARY"]): c for c in feed.walk("VEVENT")}
    festival = by_title["Žemaitijos festivalis"]
    assert b"DTSTART;VALUE=DATE:20270501" in body and b"DTEND;VALUE=DATE:20270504" in body
    assert festival.decoded("DTSTART") == dt.date(2027, 5, 1)
    assert festival.decoded("DTEND") == dt.date(2027, 5, 4)  # exclusive, as RFC 5545 says
    assert "TZID" not in festival["DTSTART"].params
    (market,) = [c for c in feed.walk("VEVENT") if c.get("RRULE")]
    assert market.decoded("DTSTART") == dt.date(2027, 3, 6)
    assert market.decoded("DTEND") == dt.date(2027, 3, 7)
    assert market["RRULE"].to_ical() == b"FREQ=WEEKLY;UNTIL=20270410;BYDAY=SA"
    exdates = [d.dt for d in market["EXDATE"].dts]
    assert exdates == [dt.date(2027, 3, 20), dt.date(2027, 4, 3)]
    assert market["EXDATE"].params.get("VALUE") == "DATE"
    talk = by_title["Evening talk"]
    assert talk.decoded("DTSTART") == dt.datetime(2027, 5, 1, 18, 0, tzinfo=VILNIUS)

    # another hub harvests our feed: the same days, all day
    other = OrganisationFactory(slug="other-hub", community=provider.community)
    remote.routes["/ours.ics"] = body
    source = source_add(kind="ical", url=remote.base + "/ours.ics", organisation=other)
    run = source_harvest(source=source)
    assert run.status == HarvestRun.Status.COMPLETED and run.failed == 0, run.errors

    def when(event):
        return (str(event), event.all_day, event.start, event.end, event.rrule, event.exdates)

    copies = sorted(map(when, Event.objects.filter(organisation=other)), key=str)
    assert copies == sorted(map(when, events), key=str)
    assert sum(1 for copy in copies if copy[1]) == 5  # all but the evening talk


def test_a_feed_all_day_series_with_a_utc_until_is_exported_with_a_date_until(provider):
    from heco.programme.services import event_create

    series = event_create(
        organisation=provider,
        title={"en": "Market"},
        start=at("2027-05-01"),
        all_day=True,
        timezone="Europe/Vilnius",
        rrule="FREQ=WEEKLY;UNTIL=20270521T210000Z",  # 22 May 00:00 in Vilnius
        status="published",
    )
    (vevent,) = Calendar.from_ical(build_calendar([series], name="x", lang="en")).walk("VEVENT")
    assert vevent["RRULE"].to_ical() == b"FREQ=WEEKLY;UNTIL=20270522"
    assert not Calendar.from_ical(build_calendar([series], name="x", lang="en")).walk("VTIMEZONE")


def test_a_schema_org_page_with_dates_only_gives_all_day_events(remote, provider):
    remote.routes["/eventi.html"] = (FIXTURES / "all_day.html").read_bytes()
    source = source_add(
        kind="jsonld",
        url=remote.base + "/eventi.html",
        organisation=provider,
        mapping={"timezone": "Europe/Rome"},
    )
    run = source_harvest(source=source)

    assert (run.created, run.failed) == (4, 0), run.errors
    infiorata = event_of("https://comune.example.it/eventi/infiorata")
    # schema.org endDate names the last day: 1 to 3 May, stored up to 4 May 00:00
    assert infiorata.all_day and infiorata.timezone == "Europe/Rome"
    assert (infiorata.start, infiorata.end) == (at("2027-05-01", ROME), at("2027-05-04", ROME))
    assert dates.schema_dates(infiorata.start.astimezone(ROME), infiorata.end.astimezone(ROME)) == (
        "2027-05-01",
        "2027-05-03",
    )
    mostra = event_of("https://comune.example.it/eventi/mostra")
    assert mostra.all_day
    assert (mostra.start, mostra.end) == (at("2027-06-10", ROME), at("2027-06-11", ROME))
    concerto = event_of("https://comune.example.it/eventi/concerto")
    assert not concerto.all_day
    assert concerto.start == dt.datetime(2027, 6, 12, 16, 0, tzinfo=dt.UTC)
    # a time after a space is still a time; a date-only endDate after it is the end of that day
    visita = event_of("https://comune.example.it/eventi/visita")
    assert not visita.all_day
    assert visita.start == dt.datetime(2027, 6, 13, 10, 0, tzinfo=ROME)
    assert visita.end == at("2027-06-14", ROME)
