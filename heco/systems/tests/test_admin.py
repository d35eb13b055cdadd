"""Back-office scoping: an editor sees and changes only their organisation's routes and
passes; a coordinator those of the whole network; both directions are checked."""

import pytest
from django.urls import reverse

from heco.core.models import Status
from heco.systems.models import Route
from heco.systems.tests.conftest import make_route


@pytest.fixture
def routes(world, home_org, other_org):
    mine = make_route("home-route", home_org, [{"asset": world["manor"]}])
    theirs = make_route("other-route", other_org, [{"asset": world["manor"]}])
    return mine, theirs


def test_editor_sees_and_changes_only_own_routes(client, editor, routes):
    mine, theirs = routes
    client.force_login(editor)
    listing = client.get(reverse("admin:systems_route_changelist")).content.decode()
    assert "home-route" in listing or "Home Route" in listing
    assert "other-route" not in listing and "Other Route" not in listing
    assert client.get(reverse("admin:systems_route_change", args=[mine.pk])).status_code == 200
    response = client.get(reverse("admin:systems_route_change", args=[theirs.pk]))
    assert response.status_code in (302, 403, 404)


def test_editor_cannot_publish_another_organisations_route(client, editor, routes):
    mine, theirs = routes
    Route.objects.filter(pk__in=[mine.pk, theirs.pk]).update(status=Status.DRAFT)
    client.force_login(editor)
    client.post(
        reverse("admin:systems_route_changelist"),
        {"action": "publish_selected", "_selected_action": [str(mine.pk), str(theirs.pk)]},
    )
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.status == Status.PUBLISHED
    assert theirs.status == Status.DRAFT


def test_coordinator_sees_routes_of_every_network_organisation(client, coordinator, routes):
    client.force_login(coordinator)
    listing = client.get(reverse("admin:systems_route_changelist")).content.decode()
    assert "Home Route" in listing and "Other Route" in listing


def test_pass_admin_pages_load_for_a_superuser(admin_client, world):
    assert admin_client.get(reverse("admin:systems_heritagepass_changelist")).status_code == 200
    url = reverse("admin:systems_heritagepass_change", args=[world["pass"].pk])
    assert admin_client.get(url).status_code == 200
    assert admin_client.get(reverse("admin:systems_route_add")).status_code == 200
