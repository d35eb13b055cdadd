"""Staff downloads: allowed for people of the organisation, refused for everyone else."""

from __future__ import annotations

import pytest
from pypdf import PdfReader

from heco.testing.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def lt_editor(lt_org):
    user = UserFactory(username="lt-editor")
    MembershipFactory(user=user, organisation=lt_org, role="editor")
    return user


def test_editor_of_the_organisation_downloads_a_poster(client, tmp_path, lt_editor, lt_event):
    client.force_login(lt_editor)
    response = client.get("/print/poster/amatu-muge.pdf?lang=lt&lang2=en&size=A4")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="poster-amatu-muge-lt-en.pdf"' in response["Content-Disposition"]
    path = tmp_path / "poster.pdf"
    path.write_bytes(response.content)
    assert len(PdfReader(path).pages) == 1


def test_viewer_may_print_labels_for_the_organisation(client, lt_org, lt_asset):
    viewer = UserFactory(username="viewer")
    MembershipFactory(user=viewer, organisation=lt_org, role="viewer")
    client.force_login(viewer)
    assert client.get(f"/print/labels/{lt_org.pk}.pdf?lang=lt").status_code == 200


def test_editor_of_another_organisation_is_refused(client, editor, lt_asset):
    client.force_login(editor)  # edits "plunge-library", not "plunges-biblioteka"
    assert client.get("/print/panel/plunges-dvaras.pdf?lang=lt").status_code == 403


def test_outsider_is_refused(client, outsider, lt_asset):
    client.force_login(outsider)
    assert client.get("/print/leaflet/plunges-biblioteka.pdf?lang=lt").status_code == 403


def test_anonymous_and_non_staff_are_sent_to_log_in(client, volunteer, lt_asset):
    response = client.get("/print/panel/plunges-dvaras.pdf?lang=lt")
    assert response.status_code == 302 and "login" in response["Location"]
    client.force_login(volunteer)  # not staff
    response = client.get("/print/panel/plunges-dvaras.pdf?lang=lt")
    assert response.status_code == 302 and "login" in response["Location"]


def test_network_programme_needs_the_networks_coordinator(client, lt_network, lt_editor):
    from heco.network.models import Membership

    client.force_login(lt_editor)  # one member organisation only
    assert client.get("/print/programme/heco-net.pdf?lang=en").status_code == 403
    coordinator = UserFactory(username="net-coordinator")
    Membership.objects.create(user=coordinator, network=lt_network, role="coordinator")
    client.force_login(coordinator)
    assert client.get("/print/programme/heco-net.pdf?lang=en&month=2030-01").status_code == 200


def test_bad_requests(client, lt_editor, lt_event):
    client.force_login(lt_editor)
    assert client.get("/print/poster/nothing-here.pdf?lang=lt").status_code == 404
    assert client.get("/print/poster/plunges-dvaras.pdf?lang=lt").status_code == 404  # an asset
    assert client.get("/print/brochure/amatu-muge.pdf?lang=lt").status_code == 404
    assert client.get("/print/poster/amatu-muge.pdf?lang=xx").status_code == 400
