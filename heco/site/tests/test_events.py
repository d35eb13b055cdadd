import datetime as dt

from django.utils import timezone

from heco.testing.factories import EventFactory


def test_events_list_expands_recurring_events(client, world):
    html = client.get("/en/events/").content.decode()
    # six weekly occurrences of the Lithuanian-only workshop, marked as a fallback
    assert html.count('<span lang="lt">Šeštadienio dirbtuvės</span>') == 6
    assert "Summer concert" in html


def test_events_list_is_paginated(client, world):
    for n in range(25):
        EventFactory(
            slug=f"talk-{n}",
            organisation=world["museum"],
            start=timezone.now() + dt.timedelta(days=10 + n),
        )
    first = client.get("/en/events/").content.decode()
    assert 'rel="next"' in first
    assert client.get("/en/events/?page=2").status_code == 200
    assert client.get("/en/events/?page=40").status_code == 404
    assert client.get("/en/events/?page=x").status_code == 400


def test_past_events_are_not_listed_but_keep_their_page(client, world):
    EventFactory(
        slug="old-fair",
        organisation=world["museum"],
        start=timezone.now() - dt.timedelta(days=30),
        end=timezone.now() - dt.timedelta(days=30) + dt.timedelta(hours=2),
    )
    assert "Old Fair" not in client.get("/en/events/").content.decode()
    response = client.get("/en/events/old-fair/")
    assert response.status_code == 200
    assert "This event has taken place." in response.content.decode()


def test_month_calendar_is_an_accessible_table_with_prev_next(client, world):
    start = world["event"].start.astimezone(timezone.get_current_timezone())
    month = f"{start.year:04d}-{start.month:02d}"
    html = client.get(f"/en/events/calendar/?month={month}").content.decode()
    assert '<table class="calendar">' in html
    assert "<caption" in html and 'scope="col"' in html
    assert "Summer concert" in html
    assert 'rel="prev"' in html and 'rel="next"' in html
    html = client.get("/en/events/calendar/?month=2026-12").content.decode()
    assert "?month=2026-11" in html and "?month=2027-01" in html
    assert "December 2026" in html
    assert "desembre" not in html
    assert "2026 m. gruodis" in client.get("/lt/events/calendar/?month=2026-12").content.decode()


def test_bad_month_is_a_clear_400(client, db):
    for bad in ["2026-13", "december", "99999-01", "2026-1"]:
        response = client.get(f"/en/events/calendar/?month={bad}")
        assert response.status_code == 400, bad
        assert "for example 2026-12" in response.content.decode()


def test_service_directory_filters_by_kind_and_community(client, world):
    html = client.get("/en/services/?kind=guided-tour").content.decode()
    assert "Manor tours" in html
    html = client.get("/en/services/?kind=reading-room").content.decode()
    assert "Manor tours" not in html and "0 services" in html
    assert "Manor tours" in client.get("/en/services/?community=plunge").content.decode()
    assert client.get("/en/services/?kind=bogus").status_code == 400
    assert client.get("/en/services/?page=99").status_code == 404


def test_service_page_shows_the_week_and_open_state(client, world):
    html = client.get("/en/services/manor-tours/").content.decode()
    assert "Opening hours for the next seven days" in html
    assert "00:00–00:00" in html or "00:00–24:00" in html or "Open" in html
    assert "Step-free access" in html
    assert "Lithuanian" in html  # languages offered, named in the visitor's language
