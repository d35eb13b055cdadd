"""Service and event back office: form checks that mirror the programme services, and
creation through them (organisation scoping itself is in heco/core/tests/test_admin_scoping)."""

import pytest

from heco.core.tests.test_admin_scoping import admin_form_data, admin_url
from heco.programme.models import Event, Service
from heco.testing.factories import EventFactory, ServiceFactory


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_invalid_opening_hours_is_a_form_error(client, editor, home_org):
    service = ServiceFactory(organisation=home_org)
    client.force_login(editor)
    url = admin_url(Service, "change", service.pk)
    data = admin_form_data(client.get(url))
    data["opening_hours"] = "whenever we like"
    response = client.post(url, data)
    assert response.status_code == 200
    assert "opening_hours" in response.context["adminform"].form.errors


def test_service_languages_and_accessibility_are_lists(client, editor, home_org):
    service = ServiceFactory(organisation=home_org)
    client.force_login(editor)
    url = admin_url(Service, "change", service.pk)
    data = admin_form_data(client.get(url))
    data.update({"languages": "lit, en", "accessibility": ["step-free", "seating"]})
    assert client.post(url, data).status_code == 302
    service.refresh_from_db()
    assert service.languages == ["lt", "en"]
    assert service.accessibility == ["step-free", "seating"]


def test_invalid_recurrence_rule_is_a_form_error(client, editor, home_org):
    event = EventFactory(organisation=home_org)
    client.force_login(editor)
    url = admin_url(Event, "change", event.pk)
    data = admin_form_data(client.get(url))
    data["rrule"] = "FREQ=HOURLY"
    response = client.post(url, data)
    assert response.status_code == 200
    assert "rrule" in response.context["adminform"].form.errors


def test_editor_creates_an_event_and_the_service_derives_its_last_occurrence(
    client, editor, home_org
):
    client.force_login(editor)
    data = admin_form_data(client.get(admin_url(Event, "add")))
    data.update(
        {
            "title_en": "Craft fair",
            "slug": "",
            "organisation": str(home_org.pk),
            "status": "published",
            "start_0": "2030-05-04",
            "start_1": "10:00:00",
            "end_0": "2030-05-04",
            "end_1": "12:00:00",
            "timezone": "Europe/Vilnius",
            "rrule": "FREQ=WEEKLY;COUNT=3",
            "audience": ["families"],
        }
    )
    response = client.post(admin_url(Event, "add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    event = Event.objects.get(slug="craft-fair")
    assert event.organisation == home_org
    assert event.last_occurrence is not None
    assert event.last_occurrence > event.start
    assert event.history.first().history_user == editor
