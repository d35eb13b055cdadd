import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from heco.programme.hours import OpenState, opening_intervals, state_at, validate_opening_hours

VILNIUS = ZoneInfo("Europe/Vilnius")


def test_open_during_the_stated_hours_in_local_time():
    # Wednesday 25 November 2026, 12:00 in Vilnius
    at = dt.datetime(2026, 11, 25, 12, 0, tzinfo=VILNIUS)
    state = state_at("Tu-Fr 10:00-18:00; Sa 10:00-14:00", "LT", at)
    assert state == OpenState(True, dt.datetime(2026, 11, 25, 18, 0, tzinfo=VILNIUS))


def test_closed_on_monday_and_opens_on_tuesday():
    at = dt.datetime(2026, 11, 23, 12, 0, tzinfo=VILNIUS)
    state = state_at("Tu-Fr 10:00-18:00", "LT", at)
    assert not state.is_open
    assert state.next_change == dt.datetime(2026, 11, 24, 10, 0, tzinfo=VILNIUS)


def test_evaluates_in_the_places_time_zone():
    # 09:30 UTC is 10:30 in Malta (open) but 11:30 in Vilnius
    at = dt.datetime(2026, 11, 25, 9, 30, tzinfo=dt.UTC)
    assert state_at("Mo-Su 10:00-11:00", "MT", at).is_open
    assert not state_at("Mo-Su 10:00-11:00", "LT", at).is_open


def test_invalid_syntax_is_reported_and_unknown():
    with pytest.raises(ValidationError):
        validate_opening_hours("open sometimes")
    assert not state_at("open sometimes", "LT").known


def test_intervals_list_the_open_periods():
    start = dt.datetime(2026, 11, 24, 0, 0, tzinfo=VILNIUS)
    spans = opening_intervals("Tu-We 10:00-12:00", "LT", start, start + dt.timedelta(days=7))
    assert [s.day for s, _e in spans] == [24, 25]


def test_always_open_has_no_next_change_within_the_window():
    at = dt.datetime(2026, 11, 25, 12, 0, tzinfo=VILNIUS)
    assert state_at("Mo-Su 00:00-24:00", "LT", at) == OpenState(True, None)
    assert state_at("24/7", "LT", at) == OpenState(True, None)
