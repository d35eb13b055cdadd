"""All-day events: stored as whole days in the event's zone (00:00 of the first day to 00:00
after the last one), expanded as whole days, entered as days in the back office, shown as
days on the public pages."""

import datetime as dt
import json
from zoneinfo import ZoneInfo

import lxml.html
import pytest
from babel.dates import format_date, format_interval
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from heco.core.tests.test_admin_scoping import admin_form_data, admin_url
from heco.programme import dates
from heco.programme.models import Event
from heco.programme.recurrence import last_occurrence, occurrences
from heco.programme.services import event_create, event_update
from heco.testing.factories import CommunityFactory, OrganisationFactory

VILNIUS = ZoneInfo("Europe/Vilnius")
ROME = ZoneInfo("Europe/Rome")
UTC = dt.UTC
LANGS = ["en", "lt", "it", "sl", "mt", "nl"]

pytestmark = pytest.mark.django_db


def at(day: str, zone=VILNIUS, time="00:00") -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{time}").replace(tzinfo=zone)


@pytest.fixture
def organiser(db):
    community = CommunityFactory(slug="plunge", default_language="lt")
    return OrganisationFactory(slug="plunge-library", community=community)


def all_day_event(organiser, **fields):
    fields.setdefault("title", {"en": "Samogitian festival"})
    fields.setdefault("timezone", "Europe/Vilnius")
    fields.setdefault("status", "published")
    return event_create(organisation=organiser, all_day=True, **fields)


# --- storing ---------------------------------------------------------------------------------


def test_an_all_day_event_is_stored_from_midnight_to_the_midnight_after_its_last_day(organiser):
    festival = all_day_event(organiser, start=at("2027-05-01", time="15:30"), end=at("2027-05-03"))
    festival.refresh_from_db()
    assert festival.all_day
    # 3 May at 00:00 is exclusive (as iCalendar's DTEND): the festival is 1 and 2 May
    assert festival.start == at("2027-05-01")
    assert festival.end == at("2027-05-03")
    assert dates.days(festival.start, festival.end, VILNIUS) == (
        dt.date(2027, 5, 1),
        dt.date(2027, 5, 2),
    )
    assert festival.last_occurrence == at("2027-05-03")


def test_an_end_during_the_last_day_keeps_that_day_and_no_end_is_one_day(organiser):
    fair = all_day_event(organiser, start=at("2027-05-01"), end=at("2027-05-03", time="18:00"))
    assert (fair.start, fair.end) == (at("2027-05-01"), at("2027-05-04"))
    one = all_day_event(organiser, title={"en": "Open day"}, start=at("2027-05-01", time="10:00"))
    assert (one.start, one.end) == (at("2027-05-01"), at("2027-05-02"))
    same = all_day_event(
        organiser, title={"en": "Same"}, start=at("2027-05-01"), end=at("2027-05-01")
    )
    assert same.end == at("2027-05-02")


def test_days_are_midnights_in_the_events_own_zone(organiser):
    sagra = all_day_event(
        organiser, title={"it": "Sagra"}, timezone="Europe/Rome", start=at("2027-05-01", ROME)
    )
    sagra.refresh_from_db()
    assert sagra.start == at("2027-05-01", ROME)  # 30 April 22:00 UTC
    assert sagra.start.astimezone(UTC).hour == 22
    assert sagra.end == at("2027-05-02", ROME)


def test_an_all_day_end_before_the_start_is_refused(organiser):
    with pytest.raises(ValidationError) as error:
        all_day_event(organiser, start=at("2027-05-03"), end=at("2027-05-01"))
    assert "end" in error.value.message_dict


def test_moving_an_all_day_event_to_another_zone_keeps_its_days(organiser):
    festival = all_day_event(organiser, start=at("2027-05-01"), end=at("2027-05-03"))
    event_update(event=festival, timezone="America/New_York")
    festival.refresh_from_db()
    new_york = ZoneInfo("America/New_York")
    assert (festival.start, festival.end) == (
        at("2027-05-01", new_york),
        at("2027-05-03", new_york),
    )


def test_the_database_refuses_an_all_day_event_without_an_end(organiser):
    with pytest.raises(IntegrityError), transaction.atomic():
        Event.objects.create(
            slug="no-end", title={"en": "No end"}, organisation=organiser,
            start=at("2027-05-01"), all_day=True,
        )  # fmt: skip


# --- recurrence ------------------------------------------------------------------------------


def test_all_day_occurrences_stay_whole_days_across_the_dst_change(organiser):
    """Vilnius moves its clocks on Sunday 28 March 2027: that day has 23 hours."""
    weekend = all_day_event(
        organiser,
        title={"en": "Weekend market"},
        start=at("2027-03-20"),
        end=at("2027-03-22"),  # Saturday and Sunday
        rrule="FREQ=WEEKLY;COUNT=3",
    )
    found = occurrences(weekend, at("2027-03-01"), at("2027-05-01"))
    assert [(o.start.isoformat(), o.end.isoformat()) for o in found] == [
        ("2027-03-20T00:00:00+02:00", "2027-03-22T00:00:00+02:00"),
        ("2027-03-27T00:00:00+02:00", "2027-03-29T00:00:00+03:00"),
        ("2027-04-03T00:00:00+03:00", "2027-04-05T00:00:00+03:00"),
    ]
    assert weekend.last_occurrence == at("2027-04-05")


def test_a_one_day_all_day_event_on_the_dst_day_ends_at_the_next_midnight(organiser):
    open_day = all_day_event(organiser, title={"en": "Open day"}, start=at("2027-03-28"))
    # (through UTC: Python subtracts datetimes of the same zone as wall-clock times)
    assert open_day.end.astimezone(UTC) - open_day.start.astimezone(UTC) == dt.timedelta(hours=23)
    yearly = all_day_event(
        organiser, title={"en": "Yearly"}, start=at("2027-03-28"), rrule="FREQ=YEARLY;COUNT=2"
    )
    found = occurrences(yearly, at("2028-01-01"), at("2029-01-01"))
    assert [(o.start.isoformat(), o.end.isoformat()) for o in found] == [
        ("2028-03-28T00:00:00+03:00", "2028-03-29T00:00:00+03:00")
    ]
    assert yearly.last_occurrence == at("2028-03-29")


def test_a_multi_day_occurrence_overlaps_a_window_inside_it_and_exdates_skip_days(organiser):
    exhibition = all_day_event(
        organiser,
        title={"en": "Exhibition"},
        start=at("2027-05-01"),
        end=at("2027-05-31"),
    )
    assert len(occurrences(exhibition, at("2027-05-15", time="12:00"), at("2027-05-16"))) == 1
    assert occurrences(exhibition, at("2027-05-31"), at("2027-06-05")) == []
    market = all_day_event(
        organiser, title={"en": "Market"}, start=at("2027-05-01"), rrule="FREQ=WEEKLY;COUNT=3"
    )
    market.exdates = ["2027-05-08T00:00:00"]
    days = [o.start.date().day for o in occurrences(market, at("2027-05-01"), at("2027-06-01"))]
    assert days == [1, 15]
    # a date-only UNTIL includes that day
    market.rrule = "FREQ=WEEKLY;UNTIL=20270515"
    assert last_occurrence(market) == at("2027-05-16")


# --- back office -----------------------------------------------------------------------------


@pytest.fixture
def staff(client, editor):
    client.force_login(editor)
    return client


def test_staff_tick_all_day_and_give_the_first_and_last_day_without_times(staff, home_org):
    data = admin_form_data(staff.get(admin_url(Event, "add")))
    data.update(
        {
            "title_en": "Samogitian festival",
            "slug": "",
            "organisation": str(home_org.pk),
            "status": "published",
            "all_day": "on",
            "start_0": "2027-05-01",
            "start_1": "",
            "end_0": "2027-05-03",  # the last day, inclusive
            "end_1": "",
            "timezone": "Europe/Rome",
        }
    )
    response = staff.post(admin_url(Event, "add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    festival = Event.objects.get(slug="samogitian-festival")
    assert festival.all_day
    assert (festival.start, festival.end) == (at("2027-05-01", ROME), at("2027-05-04", ROME))

    # the change form shows the same days (not 30 April, which 00:00 in Rome is in Vilnius)
    url = admin_url(Event, "change", festival.pk)
    again = admin_form_data(staff.get(url))
    assert (again["start_0"], again["end_0"]) == ("2027-05-01", "2027-05-03")
    # saved unchanged, it stays the same; one more day is one more day
    assert staff.post(url, again).status_code == 302
    festival.refresh_from_db()
    assert festival.end == at("2027-05-04", ROME)
    again["end_0"] = "2027-05-04"
    assert staff.post(url, again).status_code == 302
    festival.refresh_from_db()
    assert (festival.start, festival.end) == (at("2027-05-01", ROME), at("2027-05-05", ROME))
    # another zone: the same days, from its midnights
    again["timezone"] = "Europe/Vilnius"
    assert staff.post(url, again).status_code == 302
    festival.refresh_from_db()
    assert (festival.start, festival.end) == (at("2027-05-01"), at("2027-05-05"))


def test_staff_see_form_errors_for_a_missing_time_and_a_last_day_before_the_first(staff, home_org):
    data = admin_form_data(staff.get(admin_url(Event, "add")))
    data.update(
        {
            "title_en": "Talk",
            "organisation": str(home_org.pk),
            "status": "published",
            "start_0": "2027-05-01",
            "start_1": "",
            "timezone": "Europe/Vilnius",
        }
    )
    response = staff.post(admin_url(Event, "add"), data)
    assert response.status_code == 200
    assert "start" in response.context["adminform"].form.errors
    data.update({"all_day": "on", "end_0": "2027-04-30", "end_1": ""})
    response = staff.post(admin_url(Event, "add"), data)
    assert response.status_code == 200
    assert "end" in response.context["adminform"].form.errors
    assert not Event.objects.exists()


def test_ticking_all_day_on_a_timed_event_keeps_its_day(staff, home_org):
    talk = event_create(
        organisation=home_org,
        title={"en": "Talk"},
        start=at("2027-05-01", time="18:00"),
        end=at("2027-05-01", time="19:30"),
        timezone="Europe/Vilnius",
    )
    url = admin_url(Event, "change", talk.pk)
    data = admin_form_data(staff.get(url))
    data["all_day"] = "on"
    assert staff.post(url, data).status_code == 302
    talk.refresh_from_db()
    assert talk.all_day and (talk.start, talk.end) == (at("2027-05-01"), at("2027-05-02"))


# --- public pages ----------------------------------------------------------------------------


@pytest.fixture
def festival(organiser):
    cache.clear()
    first = timezone.localtime(timezone.now(), VILNIUS).date() + dt.timedelta(days=10)
    event = all_day_event(
        organiser,
        slug="samogitian-festival",
        start=dates.midnight(first, VILNIUS),
        end=dates.midnight(first + dt.timedelta(days=2), VILNIUS),  # two days
    )
    one_day = all_day_event(
        organiser,
        title={"en": "Museum open day"},
        slug="museum-open-day",
        start=dates.midnight(first, VILNIUS),
    )
    yield event, one_day, first
    cache.clear()


def _jsonld(html: str) -> dict:
    doc = lxml.html.fromstring(html)
    (script,) = doc.xpath('//script[@type="application/ld+json"]')
    return json.loads(script.text)


@pytest.mark.parametrize("lang", LANGS)
def test_event_page_shows_the_days_without_times_in_every_language(client, festival, lang):
    event, one_day, first = festival
    last = first + dt.timedelta(days=1)
    html = client.get(f"/{lang}/events/{event.slug}/").content.decode()
    when = lxml.html.fromstring(html).xpath('//p[contains(@class, "event-when")]')[0]
    assert when.text_content().strip() == format_interval(first, last, "yMMMMEEEEd", locale=lang)
    assert when.xpath(".//time/@datetime") == [first.isoformat()]
    assert "00:00" not in html
    data = _jsonld(html)
    assert (data["startDate"], data["endDate"]) == (first.isoformat(), last.isoformat())

    html = client.get(f"/{lang}/events/{one_day.slug}/").content.decode()
    when = lxml.html.fromstring(html).xpath('//p[contains(@class, "event-when")]')[0]
    text = when.text_content()
    assert text.startswith(format_date(first, "full", locale=lang) + " · ")
    assert "00:00" not in html
    data = _jsonld(html)
    assert data["startDate"] == data["endDate"] == first.isoformat()


def test_lists_and_calendars_show_all_day_instead_of_times(client, festival):
    event, one_day, first = festival
    listing = client.get("/en/events/").content.decode()
    assert "All day" in listing and "00:00" not in listing
    assert format_interval(first, first + dt.timedelta(days=1), "yMMMMEEEEd", locale="en") in (
        listing
    )
    month = f"{first:%Y-%m}"
    calendar = client.get(f"/en/events/calendar/?month={month}").content.decode()
    assert "All day · " in calendar and "00:00" not in calendar
    shared = client.get(f"/en/calendar/?month={month}").content.decode()
    assert "All day" in shared and "00:00" not in shared
    embed = client.get("/embed/en/events/").content.decode()
    assert "All day" in embed and "00:00" not in embed
