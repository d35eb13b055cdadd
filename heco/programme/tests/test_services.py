import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from heco.programme.models import Service
from heco.programme.services import event_create, event_update, service_create, service_update
from heco.search import index as search_index
from heco.testing.factories import AssetFactory, ServiceFactory

pytestmark = pytest.mark.django_db
VILNIUS = ZoneInfo("Europe/Vilnius")


@pytest.fixture
def indexed(monkeypatch):
    calls = []
    real = search_index.index_assets

    def record(ids):
        calls.append(set(ids))
        real(ids)

    monkeypatch.setattr(search_index, "index_assets", record)
    return calls


def new_service(org, **extra):
    fields = {
        "name": {"en": "Guided tour of the manor"},
        "kind": "guided-tour",
        "opening_hours": "Tu-Fr 10:00-18:00; Sa 10:00-14:00",
    }
    fields.update(extra)
    return service_create(organisation=org, **fields)


def test_editor_creates_a_service_and_the_asset_is_reindexed(editor, home_org, indexed):
    asset = AssetFactory(organisation=home_org)
    service = new_service(
        home_org,
        user=editor,
        asset=asset,
        accessibility=["step-free", "seating"],
        languages=["lit", "en_GB"],
    )
    assert service.slug == "guided-tour-of-the-manor"
    assert service.languages == ["lt", "en-GB"]
    assert indexed == [{asset.id}]


def test_editor_of_another_org_cannot_create_or_update_services(editor, other_org):
    with pytest.raises(PermissionDenied):
        new_service(other_org, user=editor)
    service = ServiceFactory(organisation=other_org)
    with pytest.raises(PermissionDenied):
        service_update(service=service, user=editor, opening_hours="Mo 10:00-12:00")


def test_coordinator_updates_services_of_network_members(coordinator, other_org):
    service = ServiceFactory(organisation=other_org)
    service_update(service=service, user=coordinator, opening_hours="Mo 10:00-12:00")
    assert Service.objects.get(pk=service.pk).opening_hours == "Mo 10:00-12:00"


def test_outsider_cannot_create_services(outsider, home_org):
    with pytest.raises(PermissionDenied):
        new_service(home_org, user=outsider)


def test_moving_a_service_reindexes_both_assets(home_org, indexed):
    first, second = AssetFactory(organisation=home_org), AssetFactory(organisation=home_org)
    service = new_service(home_org, asset=first)
    service_update(service=service, asset=second)
    assert indexed[-1] == {first.id, second.id}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("opening_hours", "open when the keeper is in"),
        ("accessibility", ["step-free", "jetpack"]),
        ("languages", ["english please"]),
    ],
)
def test_invalid_service_values_are_refused(home_org, field, value):
    with pytest.raises(ValidationError) as exc:
        new_service(home_org, **{field: value})
    assert field in exc.value.message_dict
    assert not Service.objects.exists()


def new_event(org, **extra):
    start = dt.datetime(2026, 3, 7, 10, 0, tzinfo=VILNIUS)
    fields = {
        "title": {"en": "Heritage walk"},
        "start": start,
        "end": start + dt.timedelta(hours=2),
        "timezone": "Europe/Vilnius",
    }
    fields.update(extra)
    return event_create(organisation=org, **fields)


def test_single_event_last_occurrence_is_its_end(home_org):
    event = new_event(home_org)
    assert event.last_occurrence == event.end


def test_counted_rule_gives_the_end_of_the_final_occurrence(home_org):
    event = new_event(home_org, rrule="RRULE:FREQ=WEEKLY;BYDAY=SA;COUNT=4")
    assert event.rrule == "FREQ=WEEKLY;BYDAY=SA;COUNT=4"
    # 7, 14, 21, 28 March; the 28th is still winter time (DST starts on 29 March 2026)
    assert event.last_occurrence == dt.datetime(2026, 3, 28, 12, 0, tzinfo=VILNIUS)


def test_until_in_utc_is_understood(home_org):
    event = new_event(home_org, rrule="FREQ=WEEKLY;BYDAY=SA;UNTIL=20260404T235959Z")
    # 4 April is summer time: the walk still starts at 10:00 local
    assert event.last_occurrence == dt.datetime(2026, 4, 4, 12, 0, tzinfo=VILNIUS)


def test_unbounded_rule_has_no_last_occurrence(home_org):
    assert new_event(home_org, rrule="FREQ=MONTHLY;BYDAY=1TH").last_occurrence is None


@pytest.mark.parametrize(
    ("fields", "error_field"),
    [
        ({"timezone": "Europe/Atlantis"}, "timezone"),
        ({"rrule": "FREQ=FORTNIGHTLY"}, "rrule"),
        ({"rrule": "FREQ=MINUTELY"}, "rrule"),
        ({"rrule": "FREQ=WEEKLY;COUNT=3;UNTIL=20261231"}, "rrule"),
        ({"rrule": "FREQ=DAILY;COUNT=100000"}, "rrule"),
        ({"rrule": "not a rule"}, "rrule"),
        ({"end": dt.datetime(2026, 3, 7, 9, 0, tzinfo=VILNIUS)}, "end"),
        ({"audience": ["aliens"]}, "audience"),
    ],
)
def test_invalid_events_are_refused(home_org, fields, error_field):
    with pytest.raises(ValidationError) as exc:
        new_event(home_org, **fields)
    assert error_field in exc.value.message_dict


def test_editor_cannot_create_events_for_another_org(editor, other_org, home_org):
    with pytest.raises(PermissionDenied):
        new_event(other_org, user=editor)
    event = new_event(home_org, user=editor)
    with pytest.raises(PermissionDenied):
        event_update(event=event, user=editor, organisation=other_org)


def test_updating_the_rule_recomputes_the_last_occurrence(editor, home_org):
    event = new_event(home_org, user=editor)
    event_update(event=event, user=editor, rrule="FREQ=DAILY;COUNT=2")
    assert event.last_occurrence == dt.datetime(2026, 3, 8, 12, 0, tzinfo=VILNIUS)
