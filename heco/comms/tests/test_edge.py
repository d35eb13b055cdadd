"""Malformed input on the staff pages gets a 4xx or a clear message, never a 500."""

import pytest
from django.urls import reverse

from heco.comms.models import Item

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("month", ["9999-12", "0001-01", "1-1", "99999999999999999999-1"])
def test_a_calendar_month_at_the_edge_of_time_shows_the_current_month(
    client, org_admin, home_org, month
):
    client.force_login(org_admin)
    url = reverse("comms:organisation-calendar", args=[home_org.slug])

    response = client.get(url, {"month": month})

    assert response.status_code == 200


@pytest.mark.parametrize("when", ["9999-12-31T23:59", "0001-01-01T00:00"])
def test_scheduling_at_the_edge_of_time_is_refused_with_a_message(
    client, org_admin, approved_item, when
):
    item = approved_item()
    client.force_login(org_admin)

    response = client.post(
        reverse("comms:item-action", args=[item.pk]),
        {"action": "schedule", "scheduled_at": when},
        follow=True,
    )

    assert response.status_code == 200
    assert "Enter a valid date and time." in response.content.decode()
    item.refresh_from_db()
    assert item.status == Item.Status.REVIEW and item.scheduled_at is None
