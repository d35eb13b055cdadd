"""Asset back office: language-map widgets, media inline with upload checks, identifiers,
history, and writes through the heritage services."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from heco.core.models import Status
from heco.core.rights import RIGHTS_STATEMENTS
from heco.core.tests.test_admin_scoping import admin_form_data, admin_url
from heco.heritage.models import Asset, ExternalIdentifier, Media
from heco.testing.factories import AssetFactory, CommunityFactory

CC_BY = RIGHTS_STATEMENTS[2][0]


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def png_upload(name="photo.png", size=(40, 30)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 120, 40)).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def media_form(data, index=0, **values):
    """Fill the ``index``-th media inline form in ``data`` (an admin_form_data dict)."""
    prefix = f"media-{index}-"
    defaults = {"kind": "image", "rights": CC_BY, "position": "0", "credit": "", "url": ""}
    for key, value in {**defaults, **values}.items():
        data[prefix + key] = value
    data["media-TOTAL_FORMS"] = str(max(int(data["media-TOTAL_FORMS"]), index + 1))
    return data


@pytest.fixture
def asset(home_org):
    return AssetFactory(organisation=home_org, title={"en": "Manor", "lt": "Dvaras"})


def test_language_map_widget_renders_a_row_per_language_with_missing_marked(client, editor, asset):
    client.force_login(editor)
    page = client.get(admin_url(Asset, "change", asset.pk))
    html = page.content.decode()
    for code in ("en", "lt", "it", "sl", "mt", "nl"):
        assert f'name="title_{code}"' in html
        assert f'lang="{code}"' in html
    assert "langmap-missing" in html
    assert "core/admin.css" in html


def test_language_map_saves_every_language_and_drops_empty_ones(client, editor, asset):
    client.force_login(editor)
    url = admin_url(Asset, "change", asset.pk)
    data = admin_form_data(client.get(url))
    data.update({"title_en": "Manor house", "title_lt": "", "title_it": "Villa"})
    assert client.post(url, data).status_code == 302
    asset.refresh_from_db()
    assert asset.title == {"en": "Manor house", "it": "Villa"}


def test_form_with_errors_re_renders_the_language_map(client, editor, asset):
    client.force_login(editor)
    url = admin_url(Asset, "change", asset.pk)
    data = admin_form_data(client.get(url))
    data.update({"title_nl": "Landhuis", "dating": "not a date"})
    response = client.post(url, data)
    assert response.status_code == 200
    assert "dating" in response.context["adminform"].form.errors
    assert 'value="Landhuis"' in response.content.decode()


def test_editor_adds_an_asset_for_own_organisation_through_the_services(client, editor, home_org):
    community = CommunityFactory()
    client.force_login(editor)
    page = client.get(admin_url(Asset, "add"))
    assert page.context["adminform"].form.initial["organisation"] == home_org.pk
    data = admin_form_data(page)
    data.update(
        {
            "title_en": "Old Mill",
            "title_lt": "Senasis malūnas",
            "slug": "",
            "kind": "building",
            "organisation": str(home_org.pk),
            "community": str(community.pk),
            "status": "draft",
            "dating": "1850/1870",
            "themes": ["public-space"],
            "tags": "mill, water",
            "identifiers-0-scheme": "wikidata",
            "identifiers-0-value": "Q4242",
        }
    )
    response = client.post(admin_url(Asset, "add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    created = Asset.objects.get(slug="old-mill")
    assert created.organisation == home_org
    assert (created.start_year, created.end_year) == (1850, 1870)  # derived by the service
    assert created.themes == ["public-space"] and created.tags == ["mill", "water"]
    assert ExternalIdentifier.objects.get(asset=created).value == "Q4242"
    assert created.history.first().history_user == editor


def test_status_moves_through_actions_not_the_change_form(client, editor, home_org):
    draft = AssetFactory(organisation=home_org, status=Status.DRAFT, published_at=None)
    client.force_login(editor)
    page = client.get(admin_url(Asset, "change", draft.pk))
    assert "status" not in page.context["adminform"].form.fields
    client.post(
        admin_url(Asset, "changelist"),
        {"action": "publish_selected", "_selected_action": [draft.pk]},
    )
    draft.refresh_from_db()
    assert draft.status == Status.PUBLISHED and draft.published_at is not None


def test_image_upload_is_checked_stored_and_rendered(client, editor, asset):
    client.force_login(editor)
    url = admin_url(Asset, "change", asset.pk)
    data = media_form(admin_form_data(client.get(url)), alt_text_en="The manor from the park")
    data["media-0-file"] = png_upload()
    response = client.post(url, data)
    assert response.status_code == 302, response.context["inline_admin_formsets"]
    media = Media.objects.get(asset=asset)
    assert media.rights == CC_BY
    assert (media.width, media.height) == (40, 30)
    assert media.renditions  # generate_renditions ran
    assert media.history.first().history_user == editor


def test_image_without_alt_text_is_refused(client, editor, asset):
    client.force_login(editor)
    url = admin_url(Asset, "change", asset.pk)
    data = media_form(admin_form_data(client.get(url)))
    data["media-0-file"] = png_upload()
    response = client.post(url, data)
    assert response.status_code == 200
    assert not Media.objects.exists()
    assert "Describe the image" in response.content.decode()


def test_upload_that_is_not_an_image_is_refused(client, editor, asset):
    client.force_login(editor)
    url = admin_url(Asset, "change", asset.pk)
    data = media_form(admin_form_data(client.get(url)), alt_text_en="x")
    data["media-0-file"] = SimpleUploadedFile("evil.png", b"<?php echo 1; ?>", "image/png")
    response = client.post(url, data)
    assert response.status_code == 200
    assert not Media.objects.exists()


def test_rights_outside_the_closed_list_are_refused(client, editor, asset):
    client.force_login(editor)
    url = admin_url(Asset, "change", asset.pk)
    data = media_form(
        admin_form_data(client.get(url)), alt_text_en="x", rights="http://example.org/mine"
    )
    data["media-0-file"] = png_upload()
    assert client.post(url, data).status_code == 200
    assert not Media.objects.exists()


def test_editor_cannot_see_media_inlines_of_another_organisation(client, editor, other_org):
    theirs = AssetFactory(organisation=other_org)
    client.force_login(editor)
    response = client.get(admin_url(Asset, "change", theirs.pk))
    assert response.status_code in (302, 403, 404)


def test_history_page_shows_who_changed_what(client, editor, asset):
    client.force_login(editor)
    url = admin_url(Asset, "change", asset.pk)
    data = admin_form_data(client.get(url))
    data["title_sl"] = "Graščina"
    client.post(url, data)
    page = client.get(admin_url(Asset, "history", asset.pk))
    assert page.status_code == 200
    assert b"editor" in page.content
    record = asset.history.latest("history_date")
    assert record.history_user == editor


def test_viewer_cannot_revert_through_the_history_form(client, volunteer, asset):
    volunteer.is_staff = True
    volunteer.save()
    old = asset.history.earliest("history_date")
    client.force_login(volunteer)
    url = reverse("admin:heritage_asset_simple_history", args=[asset.pk, old.history_id])
    assert client.post(url, {"slug": "reverted"}).status_code == 403
    asset.refresh_from_db()
    assert asset.slug != "reverted"


def test_editor_of_another_organisation_cannot_revert_through_the_history_form(
    client, editor, other_org
):
    theirs = AssetFactory(organisation=other_org)
    old = theirs.history.earliest("history_date")
    client.force_login(editor)
    url = reverse("admin:heritage_asset_simple_history", args=[theirs.pk, old.history_id])
    assert client.get(url).status_code in (403, 404)
    assert client.post(url, {"slug": "reverted"}).status_code in (403, 404)
    theirs.refresh_from_db()
    assert theirs.slug != "reverted"


def test_replacing_an_image_file_checks_it_and_remakes_renditions(client, editor, asset):
    client.force_login(editor)
    url = admin_url(Asset, "change", asset.pk)
    data = media_form(admin_form_data(client.get(url)), alt_text_en="Front")
    data["media-0-file"] = png_upload()
    assert client.post(url, data).status_code == 302
    data = admin_form_data(client.get(url))
    data["media-0-file"] = png_upload("bigger.png", size=(90, 60))
    response = client.post(url, data)
    assert response.status_code == 302, response.content[:3000]
    media = Media.objects.get(asset=asset)
    assert (media.width, media.height) == (90, 60)


def test_the_history_of_a_harvested_asset_says_which_sources_sent_it(
    client, editor, home_org, other_org, tmp_path
):
    import json
    import shutil

    from heco.harvest.models import SourceRecord
    from heco.harvest.services import source_add, source_harvest
    from heco.harvest.tests.conftest import FIXTURES

    path = tmp_path / "heritage.csv"
    shutil.copy(FIXTURES / "heritage.csv", path)
    mapping = json.loads((FIXTURES / "heritage_mapping.json").read_text())
    source = source_add(
        kind="csv", url=str(path), organisation=home_org, mapping=mapping, name="KVR export"
    )
    assert source_harvest(source=source).created == 3
    manor = SourceRecord.objects.get(identifier="kvr-1").asset
    client.force_login(editor)

    page = client.get(admin_url(Asset, "history", manor.pk))

    assert page.status_code == 200
    [listed] = page.context["harvested_from"]
    assert (listed.source, listed.identifier) == ("KVR export", "kvr-1")
    text = page.content.decode()
    assert "Harvests are not listed in this history" in text and "kvr-1" in text
    # an asset made here has no such note; another organisation's asset stays refused
    own = AssetFactory(organisation=home_org)
    assert client.get(admin_url(Asset, "history", own.pk)).context["harvested_from"] == []
    theirs = AssetFactory(organisation=other_org)
    assert client.get(admin_url(Asset, "history", theirs.pk)).status_code in (302, 403, 404)
    assert client.get(admin_url(Asset, "history", "not-a-uuid")).status_code in (302, 404)


def test_a_harvested_dating_that_is_not_edtf_does_not_block_other_edits(client, editor, asset):
    # a register's dating as the harvest stores it, with the years it read from it
    Asset.objects.filter(pk=asset.pk).update(dating="ca. 1850", start_year=1850, end_year=1850)
    client.force_login(editor)
    url = admin_url(Asset, "change", asset.pk)
    data = admin_form_data(client.get(url))
    data["title_lt"] = "Naujas pavadinimas"

    assert client.post(url, data).status_code == 302
    asset.refresh_from_db()
    assert (asset.title["lt"], asset.dating, asset.start_year) == (
        "Naujas pavadinimas",
        "ca. 1850",
        1850,
    )
    # a dating typed here must still be EDTF
    data["dating"] = "garbage"
    page = client.post(url, data)
    assert page.status_code == 200 and "not a valid EDTF date" in page.content.decode()
