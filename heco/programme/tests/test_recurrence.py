import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from heco.programme.models import Event
from heco.programme.recurrence import occurrences, upcoming_occurrences
from heco.programme.services import event_create
from heco.testing.factories import EventFactory

VILNIUS = ZoneInfo("Europe/Vilnius")
UTC = dt.UTC


def event(**fields):
    start = fields.pop("start", dt.datetime(2026, 3, 21, 10, 0, tzinfo=VILNIUS))
    return Event(
        title={"en": "Walk"},
        start=start,
        end=start + dt.timedelta(hours=2),
        timezone="Europe/Vilnius",
        **fields,
    )


def test_weekly_event_keeps_local_time_across_the_dst_change():
    walk = event(rrule="FREQ=WEEKLY;BYDAY=SA")
    found = occurrences(
        walk, dt.datetime(2026, 3, 20, tzinfo=UTC), dt.datetime(2026, 4, 5, tzinfo=UTC)
    )
    assert [o.start.date().isoformat() for o in found] == ["2026-03-21", "2026-03-28", "2026-04-04"]
    assert {(o.start.hour, o.start.minute) for o in found} == {(10, 0)}
    # winter time (UTC+2) before 29 March, summer time (UTC+3) after it
    assert [o.start.astimezone(UTC).hour for o in found] == [8, 8, 7]
    assert [o.end.astimezone(UTC).hour for o in found] == [10, 10, 9]


def test_autumn_dst_change_too():
    walk = event(start=dt.datetime(2026, 10, 17, 10, 0, tzinfo=VILNIUS), rrule="FREQ=WEEKLY")
    found = occurrences(
        walk, dt.datetime(2026, 10, 17, tzinfo=UTC), dt.datetime(2026, 11, 1, tzinfo=UTC)
    )
    assert [o.start.astimezone(UTC).hour for o in found] == [7, 7, 8]


def test_single_event_overlapping_the_window_start_is_included():
    exhibition = event()
    exhibition.end = exhibition.start + dt.timedelta(days=30)
    found = occurrences(
        exhibition, dt.datetime(2026, 4, 1, tzinfo=UTC), dt.datetime(2026, 4, 2, tzinfo=UTC)
    )
    assert len(found) == 1


def test_count_limits_the_occurrences():
    walk = event(rrule="FREQ=DAILY;COUNT=3")
    found = occurrences(
        walk, dt.datetime(2026, 1, 1, tzinfo=UTC), dt.datetime(2027, 1, 1, tzinfo=UTC)
    )
    assert len(found) == 3


@pytest.mark.django_db
def test_upcoming_occurrences_merge_events_in_one_query(home_org, django_assert_num_queries):
    def create(slug, start, rule=""):
        return event_create(
            organisation=home_org,
            slug=slug,
            title={"en": slug},
            start=start,
            end=start + dt.timedelta(hours=1),
            timezone="Europe/Vilnius",
            rrule=rule,
            status="published",
        )

    base = dt.datetime(2026, 5, 4, 9, 0, tzinfo=VILNIUS)  # a Monday
    create("weekly", base, "FREQ=WEEKLY;COUNT=10")
    create("once", base + dt.timedelta(days=2))
    create("over", base - dt.timedelta(days=60), "FREQ=DAILY;COUNT=3")  # finished long ago
    create("later", base + dt.timedelta(days=400))
    window = (base - dt.timedelta(hours=1), base + dt.timedelta(days=30))
    with django_assert_num_queries(1):
        found = upcoming_occurrences(Event.objects.all(), *window, limit=4)
    assert [(o.event.slug, o.start.day) for o in found] == [
        ("weekly", 4),
        ("once", 6),
        ("weekly", 11),
        ("weekly", 18),
    ]
    assert found[0].event.organisation.slug == home_org.slug  # no extra query: select_related


@pytest.mark.django_db
def test_events_without_a_computed_last_occurrence_are_still_expanded():
    factory_event = EventFactory()  # written without the service: last_occurrence is NULL
    start = factory_event.start - dt.timedelta(days=1)
    found = upcoming_occurrences(Event.objects.all(), start, start + dt.timedelta(days=7))
    assert [o.event for o in found] == [factory_event]
