"""CSV/XLSX, iCalendar and JSON-LD sources."""

import datetime as dt
import json
import shutil
from zoneinfo import ZoneInfo

import pytest

from heco.core.models import Status
from heco.core.rights import COPYRIGHT_NOT_EVALUATED
from heco.harvest.models import HarvestRun, SourceRecord
from heco.harvest.services import source_add, source_harvest
from heco.heritage.models import Asset
from heco.programme.models import Event

from .conftest import FIXTURES

pytestmark = pytest.mark.django_db


def csv_source(provider, path):
    mapping = json.loads((FIXTURES / "heritage_mapping.json").read_text())
    return source_add(kind="csv", url=str(path), organisation=provider, mapping=mapping)


def test_a_csv_with_bom_semicolons_multiline_cells_and_bad_rows(provider, tmp_path):
    path = tmp_path / "heritage.csv"
    shutil.copy(FIXTURES / "heritage.csv", path)
    source = csv_source(provider, path)

    run = source_harvest(source=source)

    assert run.status == HarvestRun.Status.COMPLETED
    assert (run.fetched, run.created, run.failed) == (5, 3, 2)
    errors = {e["identifier"]: e["reason"] for e in run.errors}
    # line numbers are where the row starts in the file (row 1 spans lines 2-3)
    assert errors["kvr-4"] == "line 6: not a WKT POINT: POINT(abc def)"
    assert errors["kvr-3"] == "line 5: no title"
    manor = SourceRecord.objects.get(identifier="kvr-1").asset
    assert manor.title == {"lt": "Plungės dvaro rūmai", "en": "Plungė Manor"}
    assert manor.description == {"lt": "Rūmai pastatyti 1879 m.\nArchitektas: Karl Lorens."}
    assert (manor.lat, manor.lon) == (55.9116, 21.8447)
    assert manor.tags == ["dvaras", "architektūra"]
    assert manor.identifiers.get().value == "Q3397395"
    museum = SourceRecord.objects.get(identifier="kvr-2")
    assert museum.asset.description == {"lt": 'Muziejus "Oginskių" rūmuose'}
    assert museum.harvested["extras"]["rights"] == COPYRIGHT_NOT_EVALUATED
    hill = SourceRecord.objects.get(identifier="kvr-5").asset
    assert hill.kind == Asset.Kind.ARCHAEOLOGICAL_SITE


def test_a_row_removed_from_the_file_becomes_a_tombstone(provider, tmp_path):
    path = tmp_path / "heritage.csv"
    shutil.copy(FIXTURES / "heritage.csv", path)
    source = csv_source(provider, path)
    source_harvest(source=source)
    lines = path.read_bytes().split(b"\n")
    path.write_bytes(b"\n".join(line for line in lines if not line.startswith(b"kvr-5")))

    run = source_harvest(source=source)

    assert (run.created, run.updated, run.deleted) == (0, 0, 1)
    assert SourceRecord.objects.get(identifier="kvr-5").asset.status == Status.DELETED
    assert Asset.objects.filter(status=Status.PUBLISHED).count() == 2


def test_an_xlsx_sheet_with_lat_lon_columns(provider, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["ID", "Title (mt)", "Lat", "Lon", "Keywords"])
    sheet.append(["mt-1", "Il-Belt Valletta", 35.8989, 14.5146, "city;unesco"])
    sheet.append(["mt-2", "Bad", 135.0, 14.5, ""])
    path = tmp_path / "malta.xlsx"
    book.save(path)
    mapping = {
        "columns": {
            "ID": "identifier",
            "Title (mt)": "title@mt",
            "Lat": "lat",
            "Lon": "lon",
            "Keywords": "tags",
        },
        "separator": ";",
    }
    source = source_add(kind="csv", url=str(path), organisation=provider, mapping=mapping)
    run = source_harvest(source=source)
    assert (run.created, run.failed) == (1, 1)
    assert run.errors[0]["reason"].startswith("line 3: coordinates out of range")
    valletta = Asset.objects.get()
    assert valletta.title == {"mt": "Il-Belt Valletta"} and valletta.tags == ["city", "unesco"]


def test_an_icalendar_feed_with_rrule_and_tzid(remote, provider):
    remote.routes["/events.ics"] = "events.ics"
    source = source_add(kind="ical", url=remote.base + "/events.ics", organisation=provider)

    run = source_harvest(source=source)

    assert run.status == HarvestRun.Status.COMPLETED
    assert (run.created, run.failed) == (2, 1)
    assert run.errors[0] == {"identifier": "no-start@plunge.example.lt", "reason": "no start date"}
    club = SourceRecord.objects.get(identifier="reading-club@plunge.example.lt").event
    assert club.title == {"lt": "Skaitymų klubas"}
    assert club.timezone == "Europe/Vilnius"
    assert club.start == dt.datetime(2024, 10, 5, 11, 0, tzinfo=ZoneInfo("Europe/Vilnius"))
    assert club.end - club.start == dt.timedelta(minutes=90)
    assert club.rrule == "FREQ=WEEKLY;COUNT=8;BYDAY=SA"
    # eight Saturdays; the clocks go back on 27 October, the hour stays 11:00 local; the last
    # one ends at 12:30
    assert club.last_occurrence == dt.datetime(
        2024, 11, 23, 12, 30, tzinfo=ZoneInfo("Europe/Vilnius")
    )
    assert club.registration_url == "https://plunge.example.lt/events/reading-club"
    assert club.organisation == provider and club.status == Status.PUBLISHED
    concert = SourceRecord.objects.get(identifier="concert@plunge.example.lt").event
    assert concert.timezone == "Europe/Rome"
    assert concert.end - concert.start == dt.timedelta(hours=2)
    assert not Event.objects.filter(title__icontains="Cancelled").exists()

    again = source_harvest(source=source)
    assert (again.created, again.updated) == (0, 0)
    assert Event.objects.count() == 2


def test_a_json_ld_page_with_places_and_an_event(remote, provider):
    remote.routes["/places.html"] = "places.html"
    source = source_add(kind="jsonld", url=remote.base + "/places.html", organisation=provider)

    run = source_harvest(source=source)

    assert (run.created, run.failed) == (3, 1)
    assert run.errors[0]["reason"].startswith("malformed JSON-LD block")
    tower = SourceRecord.objects.get(identifier="https://comune.example.it/luoghi/torre").asset
    assert tower.title == {"it": "Torre civica"}
    assert (tower.lat, tower.lon) == (43.7228, 10.3966)
    assert tower.address == "Piazza del Duomo 1, Pisa"
    assert tower.kind == Asset.Kind.BUILDING
    assert tower.identifiers.get().value == "Q39054"
    museum = SourceRecord.objects.get(identifier="https://comune.example.it/luoghi/museo").asset
    assert museum.title == {"it": "Museo civico", "en": "Civic museum"}
    night = SourceRecord.objects.get(identifier="https://comune.example.it/eventi/notte").event
    assert night.start == dt.datetime(2024, 5, 18, 18, 0, tzinfo=dt.UTC)


def test_icalendar_exceptions_and_moved_occurrences(remote, provider):
    """EXDATE skips an occurrence; a RECURRENCE-ID override moves one (it becomes an event of
    its own, with the series' place and duration) or cancels it."""
    from heco.programme import recurrence
    from heco.systems.ical import build_calendar

    remote.routes["/events.ics"] = "events_overrides.ics"
    source = source_add(kind="ical", url=remote.base + "/events.ics", organisation=provider)

    run = source_harvest(source=source)

    assert run.status == HarvestRun.Status.COMPLETED
    assert (run.created, run.failed) == (2, 0)
    club = SourceRecord.objects.get(identifier="reading-club@plunge.example.lt").event
    # 2 Nov: EXDATE; 19 Oct: moved to the afternoon; 9 Nov: cancelled (RECURRENCE-ID in UTC)
    assert club.exdates == [
        "2024-10-19T11:00:00",
        "2024-11-02T11:00:00",
        "2024-11-09T11:00:00",
    ]
    vilnius = ZoneInfo("Europe/Vilnius")
    window = (dt.datetime(2024, 10, 1, tzinfo=vilnius), dt.datetime(2024, 12, 1, tzinfo=vilnius))
    days = [occ.start.day for occ in recurrence.occurrences(club, *window)]
    assert days == [5, 12, 26, 16, 23]  # 8 Saturdays less three
    moved = SourceRecord.objects.get(
        identifier="reading-club@plunge.example.lt#20241019T080000Z"
    ).event
    assert moved.title == {"lt": "Skaitymų klubas (po pietų)"}
    assert moved.start == dt.datetime(2024, 10, 19, 15, 0, tzinfo=vilnius)
    assert moved.end - moved.start == dt.timedelta(minutes=90)  # the series' duration
    assert moved.description == club.description and not moved.rrule
    assert Event.objects.count() == 2

    # our own feed says the same to the next calendar: EXDATE lines, the moved occurrence
    from icalendar import Calendar

    feed = Calendar.from_ical(build_calendar([club, moved], name="test", lang="lt"))
    series = next(c for c in feed.walk("VEVENT") if c.get("RRULE"))
    exdates = [d.dt for prop in [series.get("EXDATE")] for d in prop.dts]
    assert [d.astimezone(vilnius).day for d in exdates] == [19, 2, 9]

    again = source_harvest(source=source)
    assert (again.created, again.updated, again.deleted) == (0, 0, 0)

    # the override disappears from the feed: the moved event goes, the series is unchanged
    # except that 19 October takes place again at its usual time
    remote.routes["/events.ics"] = "events.ics"
    third = source_harvest(source=source)
    assert third.deleted >= 1
    club.refresh_from_db()
    assert club.exdates == []
    moved.refresh_from_db()
    assert moved.status == Status.DELETED


def test_a_csv_of_events_with_local_times_zones_a_rule_and_bad_rows(provider, tmp_path):
    path = tmp_path / "renginiai.csv"
    path.write_text(
        "\ufeffID;Pavadinimas;Pradžia;Pabaiga;Zona;Kartojimas;Nuoroda\n"
        "e1;Ekskursija po dvarą;2025-05-17 10:00;2025-05-17 11:30;;;https://plunge.example.lt/r\n"
        "e2;Koncertas;17.05.2025 19:00;;Europe/Rome;;\n"
        'e3;Skaitymų klubas;2025-05-03T11:00;2025-05-03T12:30;;"FREQ=WEEKLY;COUNT=4";\n'
        "e4;Be datos;rytoj;;;;\n"
        "e5;Bloga zona;2025-06-01 10:00;;Mars/Olympus;;\n"
        "e6;Baigiasi anksčiau;2025-06-01 10:00;2025-06-01 09:00;;;\n",
        encoding="utf-8",
    )
    mapping = {
        "target": "event",
        "timezone": "Europe/Vilnius",
        "language": "lt",
        "columns": {
            "ID": "identifier",
            "Pavadinimas": "title@lt",
            "Pradžia": "start",
            "Pabaiga": "end",
            "Zona": "timezone",
            "Kartojimas": "rrule",
            "Nuoroda": "url",
        },
    }
    source = source_add(kind="csv", url=str(path), organisation=provider, mapping=mapping)

    run = source_harvest(source=source)

    assert run.status == HarvestRun.Status.COMPLETED, run.errors
    assert (run.created, run.failed) == (3, 3), run.errors
    reasons = {e["identifier"]: e["reason"] for e in run.errors}
    assert reasons["e4"] == "line 5: start: not a date and time: rytoj"
    assert reasons["e5"] == "line 6: unknown time zone: Mars/Olympus"
    assert reasons["e6"] == "line 7: ends before it starts"
    assert not Asset.objects.filter(organisation=provider).exists()
    tour = SourceRecord.objects.get(source=source, identifier="e1").event
    vilnius = ZoneInfo("Europe/Vilnius")
    assert tour.title == {"lt": "Ekskursija po dvarą"}
    assert tour.start == dt.datetime(2025, 5, 17, 10, 0, tzinfo=vilnius)
    assert tour.end - tour.start == dt.timedelta(minutes=90)
    assert tour.registration_url == "https://plunge.example.lt/r"
    concert = SourceRecord.objects.get(source=source, identifier="e2").event
    assert concert.timezone == "Europe/Rome"
    assert concert.start == dt.datetime(2025, 5, 17, 19, 0, tzinfo=ZoneInfo("Europe/Rome"))
    club = SourceRecord.objects.get(source=source, identifier="e3").event
    assert club.rrule == "FREQ=WEEKLY;COUNT=4"
    assert club.last_occurrence == dt.datetime(2025, 5, 24, 12, 30, tzinfo=vilnius)

    again = source_harvest(source=source)
    assert (again.created, again.updated) == (0, 0)
