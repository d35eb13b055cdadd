"""iCalendar feeds and JSON-LD pages as real calendar servers and CMS templates write them,
harvested from the fake remote."""

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest

from heco.core.models import Status
from heco.harvest.models import HarvestRun, SourceRecord
from heco.harvest.services import source_add, source_harvest
from heco.heritage.models import Asset
from heco.programme import recurrence
from heco.programme.models import Event

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")


def calendar(*events: str, head: str = "") -> str:
    body = "".join(f"BEGIN:VEVENT\n{e.strip()}\nEND:VEVENT\n" for e in events)
    text = f"BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//Test//EN\n{head}{body}END:VCALENDAR\n"
    return text.replace("\n", "\r\n")


def harvest_ical(remote, provider, text: str, encoding: str = "utf-8"):
    remote.routes["/cal.ics"] = text.encode(encoding)
    source = source_add(kind="ical", url=remote.base + "/cal.ics", organisation=provider)
    return source, source_harvest(source=source)


def event(identifier: str) -> Event:
    return SourceRecord.objects.get(identifier=identifier).event


# Outlook / Exchange: the zone is a VTIMEZONE of the feed under its Windows name
OUTLOOK_ZONE = """BEGIN:VTIMEZONE
TZID:W. Europe Standard Time
BEGIN:STANDARD
DTSTART:16010101T030000
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=10
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:16010101T020000
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=3
END:DAYLIGHT
END:VTIMEZONE
"""


def test_an_outlook_feed_keeps_its_wall_clock_zone(remote, provider):
    """The series is expanded in the organiser's zone, not the site's: 10:00 in Berlin stays
    10:00 in Berlin after the clocks change; an EXDATE given as a date skips that day."""
    source, run = harvest_ical(
        remote,
        provider,
        calendar(
            """UID:040000008200E00074C5B7101A82E008
DTSTAMP:20250101T000000Z
DTSTART;TZID=W. Europe Standard Time:20250315T100000
DTEND;TZID=W. Europe Standard Time:20250315T113000
RRULE:FREQ=WEEKLY;COUNT=4;BYDAY=SA
EXDATE;VALUE=DATE:20250322
SUMMARY;LANGUAGE=de-DE:Führung durch das Museum""",
            head=OUTLOOK_ZONE,
        ),
    )

    assert run.status == HarvestRun.Status.COMPLETED, run.errors
    assert (run.created, run.failed) == (1, 0), run.errors
    tour = event("040000008200E00074C5B7101A82E008")
    assert tour.timezone == "Europe/Berlin"
    assert tour.start == dt.datetime(2025, 3, 15, 10, 0, tzinfo=BERLIN)
    window = (dt.datetime(2025, 3, 1, tzinfo=BERLIN), dt.datetime(2025, 5, 1, tzinfo=BERLIN))
    starts = [o.start for o in recurrence.occurrences(tour, *window)]
    assert [(s.day, s.hour) for s in starts] == [(15, 10), (29, 10), (5, 10)]
    again = source_harvest(source=source)
    assert (again.created, again.updated, again.deleted) == (0, 0, 0)


def test_a_feed_in_windows_1252(remote, provider):
    _source, run = harvest_ical(
        remote,
        provider,
        calendar("UID:cafe-1\nDTSTART:20250510T100000Z\nSUMMARY:Café Müller – Lesung"),
        encoding="cp1252",
    )

    assert (run.created, run.failed) == (1, 0), run.errors
    assert event("cafe-1").title == {"lt": "Café Müller – Lesung"}


def test_events_sharing_a_uid_are_reported_not_lost_unseen(remote, provider):
    _source, run = harvest_ical(
        remote,
        provider,
        calendar(
            "UID:same\nDTSTART:20250510T100000Z\nSUMMARY:First talk",
            "UID:same\nDTSTART:20250610T100000Z\nSUMMARY:Second talk",
            "UID:other\nDTSTART:20250710T100000Z\nSUMMARY:Third talk",
        ),
    )

    assert run.status == HarvestRun.Status.COMPLETED
    assert (run.created, run.failed) == (2, 1)
    assert run.errors == [
        {"identifier": "same", "reason": "duplicate UID: another event of the feed has it"}
    ]
    assert event("same").title == {"lt": "First talk"}


def test_a_rule_the_programme_cannot_expand_is_reported(remote, provider):
    """An hourly rule (or COUNT with UNTIL) would be stored and shown as one occurrence."""
    _source, run = harvest_ical(
        remote,
        provider,
        calendar(
            "UID:hourly\nDTSTART:20250510T100000Z\nRRULE:FREQ=HOURLY;COUNT=5\nSUMMARY:Tours",
            "UID:weekly\nDTSTART:20250510T100000Z\nRRULE:FREQ=WEEKLY;COUNT=5\nSUMMARY:Club",
        ),
    )

    assert (run.created, run.failed) == (1, 1)
    assert run.errors[0]["identifier"] == "hourly"
    assert "FREQ must be YEARLY, MONTHLY, WEEKLY or DAILY" in run.errors[0]["reason"]
    assert not Event.objects.filter(rrule__startswith="FREQ=HOURLY").exists()


def test_an_event_without_uid_is_named_in_the_report(remote, provider):
    _source, run = harvest_ical(
        remote,
        provider,
        calendar(
            "DTSTART:20250510T100000Z\nSUMMARY:Open day",
            "UID:ok\nDTSTART:20250510T100000Z\nSUMMARY:Talk",
        ),
    )

    assert (run.created, run.failed) == (1, 1)
    assert run.errors == [
        {"identifier": "", "reason": "no UID: 'Open day' starting 20250510T100000Z"}
    ]


# --- JSON-LD ---


def page(*blocks: str, head: str = "") -> bytes:
    scripts = "".join(blocks)
    return f"<!DOCTYPE html><html><head>{head}{scripts}</head><body></body></html>".encode()


def harvest_page(remote, provider, body: bytes, **options):
    remote.routes["/page.html"] = body
    source = source_add(
        kind="jsonld", url=remote.base + "/page.html", organisation=provider, **options
    )
    return source, source_harvest(source=source)


def test_json_ld_as_cms_templates_write_it(remote, provider):
    """UTF-8 without <meta charset>, blocks wrapped in comments or CDATA, a type attribute
    with a charset, HTML entities in names, decimal commas, relative @id, a nested Place."""
    body = page(
        '<script type="application/ld+json"><!--\n{"@context": "https://schema.org",'
        ' "@type": "Museum", "@id": "#museum", "name": "Žemaičių dailės muziejus",'
        ' "geo": {"@type": "GeoCoordinates", "latitude": "55,9125", "longitude": "21,8486"}}'
        "\n--></script>",
        '<script type="application/ld+json; charset=utf-8">//<![CDATA[\n'
        '{"@type": "Church", "@id": "/church", "name": "Saint John&#8217;s &amp; Co"}\n//]]>'
        "</script>",
        '<script type="Application/LD+JSON">{"@type": "Event", "url": "/events/night",'
        ' "name": "Museum night", "startDate": "2025-05-17T19:00:00+03:00",'
        ' "location": {"@type": "Place", "name": {"@value": "Oginskiai manor",'
        ' "@language": "lt"}}}</script>',
    )

    source, run = harvest_page(remote, provider, body)

    assert run.status == HarvestRun.Status.COMPLETED, run.errors
    assert (run.created, run.failed) == (3, 0), run.errors
    again = source_harvest(source=source)
    assert (again.created, again.updated, again.deleted) == (0, 0, 0)
    base = remote.base + "/page.html"
    museum = SourceRecord.objects.get(identifier=base + "#museum").asset
    assert museum.title == {"lt": "Žemaičių dailės muziejus"}
    assert (museum.lat, museum.lon) == (55.9125, 21.8486)
    church = SourceRecord.objects.get(identifier=remote.base + "/church").asset
    assert church.title == {"lt": "Saint John’s & Co"}
    night = SourceRecord.objects.get(identifier=remote.base + "/events/night")
    assert night.harvested["extras"]["location"] == "Oginskiai manor"
    assert night.harvested["extras"]["url"] == remote.base + "/events/night"


def test_event_times_without_offset_are_local_and_do_not_fail_the_run(remote, provider):
    """A date-time without offset is local time where the page is (the mapping's zone, else
    the site's); an end date alone beside a start with an offset stopped the whole run."""
    body = page(
        '<script type="application/ld+json">[{"@type": "Event", "@id": "https://x.lt/e/1",'
        ' "name": "Concert", "startDate": "2025-07-05T19:00", "endDate": "2025-07-05T21:00"},'
        ' {"@type": "Event", "@id": "https://x.lt/e/2", "name": "Fair",'
        ' "startDate": "2025-07-06T10:00:00+02:00", "endDate": "2025-07-06"},'
        ' {"@type": "Event", "@id": "https://x.lt/e/3", "name": "Open day",'
        ' "startDate": "2025-07-07"}]</script>',
    )

    _source, run = harvest_page(remote, provider, body, mapping={"timezone": "Europe/Berlin"})

    assert run.status == HarvestRun.Status.COMPLETED, run.errors
    assert (run.created, run.failed) == (3, 0), run.errors
    concert = event("https://x.lt/e/1")
    assert concert.timezone == "Europe/Berlin"
    assert concert.start == dt.datetime(2025, 7, 5, 19, 0, tzinfo=BERLIN)
    assert concert.end - concert.start == dt.timedelta(hours=2)
    fair = event("https://x.lt/e/2")  # the end date names the last day
    assert fair.end == dt.datetime(2025, 7, 7, tzinfo=BERLIN)
    assert event("https://x.lt/e/3").start == dt.datetime(2025, 7, 7, tzinfo=BERLIN)


@pytest.mark.parametrize(
    "answer",
    [
        b"<html><head><title>Log in</title></head><body><form></form></body></html>",
        b"",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
    ],
    ids=["login page", "empty", "not html"],
)
def test_a_page_without_json_ld_deletes_nothing(remote, provider, answer):
    body = page(
        '<script type="application/ld+json">{"@type": "Museum", "@id": "https://x.lt/m",'
        ' "name": "Muziejus"}</script>'
    )
    source, first = harvest_page(remote, provider, body)
    assert first.created == 1

    remote.routes["/page.html"] = answer
    again = source_harvest(source=source)

    assert again.status == HarvestRun.Status.PARTIAL
    reason = again.errors[-1]["reason"]
    assert "no JSON-LD on the page" in reason or "unreadable page" in reason
    assert again.deleted == 0
    assert Asset.objects.get().status == Status.PUBLISHED


def test_a_json_ld_document_served_as_is(remote, provider):
    body = b'{"@context": "https://schema.org", "@graph": [{"@type": "Park",'
    body += b' "@id": "https://x.lt/park", "name": "Plunges parkas"}]}'

    _source, run = harvest_page(remote, provider, body)

    assert (run.created, run.failed) == (1, 0)
    assert SourceRecord.objects.get(identifier="https://x.lt/park").asset.kind == "landscape"


def test_extra_dates_of_a_series_become_events(remote, provider):
    """RDATE (Apple Calendar, libical): dates beside the rule; each is an event of its own,
    with the series' title and duration, or the PERIOD it gives."""
    feed = calendar(
        """UID:lectures
DTSTART;TZID=Europe/Berlin:20250510T100000
DTEND;TZID=Europe/Berlin:20250510T113000
RRULE:FREQ=WEEKLY;COUNT=2
RDATE;TZID=Europe/Berlin:20250520T140000
RDATE;VALUE=PERIOD:20250601T080000Z/PT3H
SUMMARY:Lecture series"""
    )
    source, run = harvest_ical(remote, provider, feed)

    assert (run.created, run.failed) == (3, 0), run.errors
    extra = event("lectures#20250520T120000Z")
    assert extra.title == {"lt": "Lecture series"} and not extra.rrule
    assert extra.start == dt.datetime(2025, 5, 20, 14, 0, tzinfo=BERLIN)
    assert extra.end - extra.start == dt.timedelta(minutes=90)
    period = event("lectures#20250601T080000Z")
    assert period.end - period.start == dt.timedelta(hours=3)

    again = source_harvest(source=source)
    assert (again.created, again.updated, again.deleted) == (0, 0, 0)

    gone = feed.replace("RDATE;TZID=Europe/Berlin:20250520T140000\r\n", "")
    remote.routes["/cal.ics"] = gone.encode()
    third = source_harvest(source=source)
    assert third.deleted == 1
    assert event("lectures#20250520T120000Z").status == Status.DELETED


def test_a_nul_character_in_a_text_is_dropped_not_fatal(remote, provider):
    """JSON can carry "\\u0000"; PostgreSQL stores no NUL in text or jsonb, so one such value
    failed the whole page there. It carries nothing: it is dropped."""
    body = page(
        '<script type="application/ld+json">{"@type": "Museum", "@id": "#m",'
        ' "name": "Muzie\\u0000jus", "description": "Rūmai\\u0000", "address": "Parko g.\\u0000 1",'
        ' "keywords": ["dvaras\\u0000"]}</script>',
        '<script type="application/ld+json">{"@type": "Church", "@id": "#c", "name": "Bažnyčia"}'
        "</script>",
        '<script type="application/ld+json">{"@type": "Park", "@id": "#p\\u0000", "name": "P"}'
        "</script>",
    )
    _source, run = harvest_page(remote, provider, body)

    assert (run.status, run.created, run.failed) == (HarvestRun.Status.COMPLETED, 2, 1), run.errors
    assert run.errors[0]["reason"] == "a NUL character in the identifier"
    museum = SourceRecord.objects.get(identifier=remote.base + "/page.html#m").asset
    assert museum.title == {"lt": "Muziejus"}
    assert "\x00" not in json.dumps([museum.description, museum.address, museum.tags])


def test_control_characters_in_a_text_are_dropped_so_staff_can_still_edit_the_record(
    remote, provider
):
    """Like NUL, the other characters XML forbids (here U+000B, U+001F, U+FFFF) carry nothing;
    kept, they would make every staff edit of the asset fail (``validate_language_map``
    refuses them) and our XML exports would have to drop them anyway."""
    from heco.core.langmap import validate_language_map

    body = page(
        '<script type="application/ld+json">{"@type": "Museum", "@id": "#m",'
        ' "name": "Muzie\\u000bjus", "description": "R\\u001fūmai\\nsu parku\\uffff"}'
        "</script>",
    )
    _source, run = harvest_page(remote, provider, body)

    assert (run.status, run.created, run.failed) == (HarvestRun.Status.COMPLETED, 1, 0), run.errors
    museum = SourceRecord.objects.get(identifier=remote.base + "/page.html#m").asset
    assert museum.title == {"lt": "Muziejus"}
    assert museum.description == {"lt": "Rūmai\nsu parku"}  # the line break is kept
    validate_language_map(museum.title)
    validate_language_map(museum.description)
