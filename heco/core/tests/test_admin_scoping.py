"""Organisation scoping in the back office, for every organisation-owned record type.

The same suite runs for assets, services and events: an editor sees and edits only their own
organisation's records, a coordinator sees the whole network, an outsider sees nothing, a
contributor only looks, changes are recorded with their author, and deleting leaves a tombstone.
"""

from dataclasses import dataclass

import lxml.html
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from heco.core.models import Status
from heco.heritage.models import Asset
from heco.programme.models import Event, Service
from heco.testing.factories import AssetFactory, EventFactory, ServiceFactory

# --- helpers (also used by the app-level admin tests) ---------------------------------------


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """The personas are created with a password; hash it cheaply in tests."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def admin_url(model, view, *args):
    opts = model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=args)


def admin_form_data(response) -> dict:
    """The values a browser would submit from the admin change form on ``response``."""
    doc = lxml.html.fromstring(response.content)
    forms = doc.xpath('//form[@method="post"][contains(@id, "_form")]')
    assert forms, "no admin change form on the page"
    data: dict[str, list] = {}
    for name, value in forms[0].form_values():
        data.setdefault(name, []).append(value)
    return {name: values[0] if len(values) == 1 else values for name, values in data.items()}


def changelist_objects(response):
    return list(response.context["cl"].result_list)


def app_labels_on_index(response):
    return {app["app_label"] for app in response.context["app_list"]}


@dataclass(frozen=True)
class Case:
    model: type
    factory: type
    title_field: str

    def make(self, organisation, **kwargs):
        return self.factory(organisation=organisation, **kwargs)

    def history_user_ids(self, obj):
        return list(obj.history.values_list("history_user_id", flat=True))


CASES = {
    "asset": Case(Asset, AssetFactory, "title"),
    "service": Case(Service, ServiceFactory, "name"),
    "event": Case(Event, EventFactory, "title"),
}


@pytest.fixture(params=list(CASES))
def case(request):
    return CASES[request.param]


@pytest.fixture
def records(case, home_org, other_org, network):
    return case.make(home_org), case.make(other_org)


# --- seeing ----------------------------------------------------------------------------------


def test_editor_sees_own_organisation_records_and_not_the_other(client, editor, case, records):
    own, theirs = records
    client.force_login(editor)
    response = client.get(admin_url(case.model, "changelist"))
    assert response.status_code == 200
    listed = changelist_objects(response)
    assert own in listed
    assert theirs not in listed


def test_coordinator_sees_every_organisation_of_the_network(client, coordinator, case, records):
    client.force_login(coordinator)
    response = client.get(admin_url(case.model, "changelist"))
    assert set(changelist_objects(response)) == set(records)


def test_outsider_sees_no_heco_apps_and_no_changelist(client, outsider, case, records):
    client.force_login(outsider)
    index = client.get(reverse("admin:index"))
    assert index.status_code == 200
    assert not app_labels_on_index(index) & {"network", "heritage", "programme"}
    assert client.get(admin_url(case.model, "changelist")).status_code == 403


def test_editor_index_lists_the_heco_apps(client, editor, case, records):
    client.force_login(editor)
    labels = app_labels_on_index(client.get(reverse("admin:index")))
    assert {"heritage", "programme", "network"} <= labels


def test_editor_cannot_open_another_organisations_record(client, editor, case, records):
    _own, theirs = records
    client.force_login(editor)
    response = client.get(admin_url(case.model, "change", theirs.pk))
    assert response.status_code in (302, 403, 404)
    assert str(theirs).encode() not in response.content
    history = client.get(admin_url(case.model, "history", theirs.pk))
    assert history.status_code in (302, 403, 404)


# --- changing --------------------------------------------------------------------------------


def test_editor_can_edit_own_record_and_history_records_who(client, editor, case, records):
    own, _theirs = records
    client.force_login(editor)
    url = admin_url(case.model, "change", own.pk)
    data = admin_form_data(client.get(url))
    data[f"{case.title_field}_lt"] = "Naujas pavadinimas"
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    own.refresh_from_db()
    assert getattr(own, case.title_field)["lt"] == "Naujas pavadinimas"
    latest = own.history.latest("history_date")
    assert latest.history_user_id == editor.pk
    assert latest.prev_record is not None
    changed = latest.diff_against(latest.prev_record).changed_fields
    assert case.title_field in changed
    assert client.get(admin_url(case.model, "history", own.pk)).status_code == 200


def test_editor_cannot_move_own_record_to_another_organisation(
    client, editor, case, records, other_org, home_org
):
    own, _theirs = records
    client.force_login(editor)
    url = admin_url(case.model, "change", own.pk)
    data = admin_form_data(client.get(url))
    data["organisation"] = str(other_org.pk)
    response = client.post(url, data)
    assert response.status_code in (200, 403)
    if response.status_code == 200:
        assert "organisation" in response.context["adminform"].form.errors
    own.refresh_from_db()
    assert own.organisation_id == home_org.pk


def test_crafted_post_to_another_organisations_record_is_refused(
    client, editor, coordinator, case, records, other_org, home_org
):
    own, theirs = records
    client.force_login(coordinator)
    data = admin_form_data(client.get(admin_url(case.model, "change", theirs.pk)))
    data[f"{case.title_field}_en"] = "Hijacked"
    data["organisation"] = str(home_org.pk)
    client.force_login(editor)
    response = client.post(admin_url(case.model, "change", theirs.pk), data)
    assert response.status_code in (302, 403, 404)
    theirs.refresh_from_db()
    assert theirs.organisation_id == other_org.pk
    assert getattr(theirs, case.title_field).get("en") != "Hijacked"


def test_editor_cannot_create_a_record_for_another_organisation(
    client, editor, case, records, other_org
):
    own, _theirs = records
    client.force_login(editor)
    # start from a copy of the editor's own record, with a new slug and the other organisation
    data = admin_form_data(client.get(admin_url(case.model, "change", own.pk)))
    data["slug"] = "crafted-copy"
    data["organisation"] = str(other_org.pk)
    data = {k: v for k, v in data.items() if not k.endswith(("-0-id", "-0-asset"))}
    before = case.model.objects.count()
    response = client.post(admin_url(case.model, "add"), data)
    assert response.status_code in (200, 403)
    assert case.model.objects.count() == before
    assert not case.model.objects.filter(slug="crafted-copy").exists()


def test_coordinator_can_edit_records_of_every_network_organisation(
    client, coordinator, case, records
):
    _own, theirs = records
    client.force_login(coordinator)
    url = admin_url(case.model, "change", theirs.pk)
    data = admin_form_data(client.get(url))
    data[f"{case.title_field}_nl"] = "Nieuwe titel"
    assert client.post(url, data).status_code == 302
    theirs.refresh_from_db()
    assert getattr(theirs, case.title_field)["nl"] == "Nieuwe titel"
    assert theirs.history.latest("history_date").history_user_id == coordinator.pk


def test_volunteer_who_is_not_staff_is_sent_to_the_login(client, volunteer, case, records):
    own, _theirs = records
    client.force_login(volunteer)
    response = client.get(admin_url(case.model, "changelist"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_contributor_on_staff_can_look_but_not_change(client, volunteer, case, records):
    own, theirs = records
    volunteer.is_staff = True
    volunteer.save()
    client.force_login(volunteer)
    listed = changelist_objects(client.get(admin_url(case.model, "changelist")))
    assert own in listed and theirs not in listed
    url = admin_url(case.model, "change", own.pk)
    page = client.get(url)
    assert page.status_code == 200
    assert not page.context["has_change_permission"]
    assert b'name="_save"' not in page.content
    response = client.post(url, {"slug": "changed", "organisation": own.organisation_id})
    assert response.status_code == 403
    own.refresh_from_db()
    assert own.slug != "changed"
    assert client.get(admin_url(case.model, "add")).status_code == 403


# --- lifecycle -------------------------------------------------------------------------------


def test_deleting_leaves_a_tombstone(client, editor, case, records):
    own, _theirs = records
    client.force_login(editor)
    url = admin_url(case.model, "delete", own.pk)
    assert client.get(url).status_code == 200
    response = client.post(url, {"post": "yes"})
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.status == Status.DELETED
    assert own.deleted_at is not None
    assert own.history.latest("history_date").history_user_id == editor.pk


def test_editor_cannot_delete_another_organisations_record(client, editor, case, records):
    _own, theirs = records
    client.force_login(editor)
    response = client.post(admin_url(case.model, "delete", theirs.pk), {"post": "yes"})
    assert response.status_code in (302, 403, 404)
    theirs.refresh_from_db()
    assert theirs.status == Status.PUBLISHED


def test_bulk_delete_tombstones_only_own_records(client, editor, case, records):
    own, theirs = records
    client.force_login(editor)
    response = client.post(
        admin_url(case.model, "changelist"),
        {"action": "delete_selected", "_selected_action": [own.pk, theirs.pk], "post": "yes"},
    )
    assert response.status_code == 302
    own.refresh_from_db()
    theirs.refresh_from_db()
    assert own.status == Status.DELETED
    assert theirs.status == Status.PUBLISHED
    assert case.model.objects.filter(pk=own.pk).exists()


def test_bulk_publish_and_withdraw_touch_only_own_records(
    client, editor, case, home_org, other_org
):
    own = case.make(home_org, status=Status.DRAFT)
    theirs = case.make(other_org, status=Status.DRAFT)
    client.force_login(editor)
    url = admin_url(case.model, "changelist")
    client.post(url, {"action": "publish_selected", "_selected_action": [own.pk, theirs.pk]})
    own.refresh_from_db()
    theirs.refresh_from_db()
    assert own.status == Status.PUBLISHED
    assert theirs.status == Status.DRAFT
    client.post(url, {"action": "withdraw_selected", "_selected_action": [own.pk]})
    own.refresh_from_db()
    assert own.status == Status.WITHDRAWN


def test_tombstones_are_read_only(client, editor, case, home_org):
    gone = case.make(home_org, status=Status.DELETED)
    client.force_login(editor)
    page = client.get(admin_url(case.model, "change", gone.pk))
    assert page.status_code == 200
    assert not page.context["has_change_permission"]


# --- the changelist ---------------------------------------------------------------------------


def test_changelist_lists_missing_languages_and_filters_by_them(client, editor, case, home_org):
    complete = case.make(
        home_org, **{case.title_field: dict.fromkeys("en lt it sl mt nl".split(), "x")}
    )
    partial = case.make(home_org, **{case.title_field: {"en": "Only English", "lt": ""}})
    client.force_login(editor)
    url = admin_url(case.model, "changelist")
    response = client.get(url)
    assert b"Missing languages" in response.content
    assert b"lt, it, sl, mt, nl" in response.content
    filtered = changelist_objects(client.get(url, {"missing_language": "lt"}))
    assert partial in filtered and complete not in filtered
    assert changelist_objects(client.get(url, {"missing_language": "en"})) == []


@pytest.mark.parametrize("who", ["editor", "coordinator"])
def test_changelist_does_a_fixed_number_of_queries(
    request, client, case, who, home_org, other_org, network
):
    user = request.getfixturevalue(who)
    client.force_login(user)
    url = admin_url(case.model, "changelist")
    for _ in range(3):
        case.make(home_org)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for _ in range(27):
        case.make(home_org)
        case.make(other_org)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(response.context["cl"].result_list) >= 30
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
    assert len(few) <= 25
