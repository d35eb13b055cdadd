"""Back office for organisations, communities, networks and memberships."""

import pytest

from heco.core.tests.test_admin_scoping import admin_form_data, admin_url, changelist_objects
from heco.network.models import Community, Membership, Network, Organisation
from heco.testing.factories import MembershipFactory, NetworkFactory, OrganisationFactory


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def outside_org(db):
    """An organisation in no network of the personas."""
    return OrganisationFactory(slug="far-away")


def test_editor_sees_and_edits_only_their_own_organisation(
    client, editor, home_org, other_org, network
):
    client.force_login(editor)
    assert changelist_objects(client.get(admin_url(Organisation, "changelist"))) == [home_org]
    assert client.get(admin_url(Organisation, "change", other_org.pk)).status_code == 302
    url = admin_url(Organisation, "change", home_org.pk)
    data = admin_form_data(client.get(url))
    data["name_lt"] = "Plungės biblioteka"
    assert client.post(url, data).status_code == 302
    home_org.refresh_from_db()
    assert home_org.name["lt"] == "Plungės biblioteka"
    assert client.get(admin_url(Organisation, "add")).status_code == 403


def test_coordinator_sees_the_network_organisations_and_new_ones_join_the_network(
    client, coordinator, home_org, other_org, outside_org, network
):
    client.force_login(coordinator)
    listed = changelist_objects(client.get(admin_url(Organisation, "changelist")))
    assert set(listed) == {home_org, other_org}
    data = admin_form_data(client.get(admin_url(Organisation, "add")))
    data.update(
        {"name_en": "New Museum", "slug": "", "kind": "museum", "community": home_org.community_id}
    )
    response = client.post(admin_url(Organisation, "add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    created = Organisation.objects.get(slug="new-museum")
    assert network in created.networks.all()


def test_only_coordinators_of_a_network_change_it_and_cannot_add_foreign_organisations(
    client, coordinator, editor, network, outside_org, home_org, other_org
):
    url = admin_url(Network, "change", network.pk)
    client.force_login(editor)
    page = client.get(url)
    assert page.status_code == 200 and not page.context["has_change_permission"]
    assert client.post(url, {"slug": "x"}).status_code == 403
    client.force_login(coordinator)
    data = admin_form_data(client.get(url))
    data["organisations"] = [str(home_org.pk), str(other_org.pk), str(outside_org.pk)]
    response = client.post(url, data)
    assert response.status_code == 200
    assert "organisations" in response.context["adminform"].form.errors
    assert outside_org not in network.organisations.all()
    other = NetworkFactory()
    assert client.get(admin_url(Network, "change", other.pk)).status_code == 302
    assert client.get(admin_url(Network, "add")).status_code == 403


def test_communities_are_edited_by_coordinators_and_read_only_for_editors(
    client, coordinator, editor, home_org, network
):
    community = home_org.community
    url = admin_url(Community, "change", community.pk)
    client.force_login(editor)
    page = client.get(url)
    assert page.status_code == 200 and not page.context["has_change_permission"]
    client.force_login(coordinator)
    data = admin_form_data(client.get(url))
    data["name_lt"] = "Plungė"
    assert client.post(url, data).status_code == 302
    community.refresh_from_db()
    assert community.name["lt"] == "Plungė"


def test_org_admin_manages_memberships_of_their_organisation_only(
    client, home_org, other_org, network, editor
):
    admin_user = MembershipFactory(organisation=home_org, role="admin").user
    theirs = MembershipFactory(organisation=other_org, role="editor")
    client.force_login(admin_user)
    listed = changelist_objects(client.get(admin_url(Membership, "changelist")))
    assert theirs not in listed
    assert Membership.objects.get(user=editor) in listed
    assert client.get(admin_url(Membership, "change", theirs.pk)).status_code == 302
    newcomer = MembershipFactory(organisation=other_org, role="viewer").user
    page = client.get(admin_url(Membership, "add"))
    roles = {value for value, _label in page.context["adminform"].form.fields["role"].choices}
    assert "coordinator" not in roles
    response = client.post(
        admin_url(Membership, "add"),
        {"user": newcomer.pk, "organisation": other_org.pk, "role": "admin"},
    )
    assert response.status_code == 200
    assert not Membership.objects.filter(user=newcomer, organisation=other_org, role="admin")
    response = client.post(
        admin_url(Membership, "add"),
        {"user": newcomer.pk, "organisation": home_org.pk, "role": "editor"},
    )
    assert response.status_code == 302
    assert Membership.objects.filter(user=newcomer, organisation=home_org, role="editor").exists()


def test_editors_do_not_see_memberships(client, editor):
    client.force_login(editor)
    assert client.get(admin_url(Membership, "changelist")).status_code == 403


def test_coordinator_sees_memberships_of_the_network(client, coordinator, editor, network):
    client.force_login(coordinator)
    listed = changelist_objects(client.get(admin_url(Membership, "changelist")))
    assert Membership.objects.get(user=editor) in listed
    assert Membership.objects.get(user=coordinator) in listed


def test_a_website_typed_without_a_scheme_is_saved_as_https_and_django_does_not_warn(
    client, editor, home_org, recwarn
):
    client.force_login(editor)
    url = admin_url(Organisation, "change", home_org.pk)
    data = admin_form_data(client.get(url))
    data["website"] = "plunge.lt/biblioteka"
    assert client.post(url, data).status_code == 302
    home_org.refresh_from_db()
    assert home_org.website == "https://plunge.lt/biblioteka"
    assert not [w for w in recwarn if "assume_scheme" in str(w.message)]
    # the field is stored and migrated as Django's own URLField (no migration needed)
    field = Organisation._meta.get_field("website")
    assert field.deconstruct()[1] == "django.db.models.URLField"
