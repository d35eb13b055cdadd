import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from heco.core.models import Status
from heco.heritage.models import Asset
from heco.heritage.services import (
    asset_create,
    asset_delete,
    asset_publish,
    asset_update,
    asset_withdraw,
    deferred_indexing,
    parse_dating,
    validate_geometry,
)
from heco.search import index as search_index
from heco.testing.factories import AssetFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def indexed(monkeypatch):
    """Record the ids passed to the search index (the side effect every write must have)."""
    calls = []
    real = search_index.index_assets

    def record(ids):
        calls.append(list(ids))
        real(ids)

    monkeypatch.setattr(search_index, "index_assets", record)
    return calls


def make(org, **extra):
    fields = {"title": {"en": "Plungė Manor", "lt": "Plungės dvaras"}, "kind": "building"}
    fields.update(extra)
    return asset_create(organisation=org, **fields)


def test_editor_creates_an_asset_for_their_own_organisation(editor, home_org, indexed):
    asset = make(home_org, user=editor, dating="1879")
    assert asset.status == Status.DRAFT
    assert asset.community_id == home_org.community_id
    assert asset.slug == "plunge-manor"
    assert indexed == [[asset.id]]


def test_editor_cannot_create_an_asset_for_another_organisation(editor, other_org):
    with pytest.raises(PermissionDenied):
        make(other_org, user=editor)
    assert not Asset.objects.exists()


def test_editor_of_another_org_cannot_update_or_publish(editor, other_org):
    asset = AssetFactory(organisation=other_org, status=Status.DRAFT)
    with pytest.raises(PermissionDenied):
        asset_update(asset=asset, user=editor, title={"en": "Changed"})
    with pytest.raises(PermissionDenied):
        asset_publish(asset=asset, user=editor)
    asset.refresh_from_db()
    assert asset.status == Status.DRAFT


def test_editor_cannot_move_an_asset_to_an_organisation_they_do_not_edit(
    editor, home_org, other_org
):
    asset = AssetFactory(organisation=home_org)
    with pytest.raises(PermissionDenied):
        asset_update(asset=asset, user=editor, organisation=other_org)


def test_coordinator_edits_assets_of_every_network_organisation(coordinator, home_org, other_org):
    for org in (home_org, other_org):
        asset = AssetFactory(organisation=org, status=Status.DRAFT)
        asset_update(asset=asset, user=coordinator, summary={"en": "Checked"})
        asset_publish(asset=asset, user=coordinator)
        assert asset.status == Status.PUBLISHED


def test_outsider_can_do_nothing(outsider, home_org):
    asset = AssetFactory(organisation=home_org)
    for call in (
        lambda: make(home_org, user=outsider),
        lambda: asset_update(asset=asset, user=outsider, title={"en": "x"}),
        lambda: asset_publish(asset=asset, user=outsider),
        lambda: asset_withdraw(asset=asset, user=outsider),
        lambda: asset_delete(asset=asset, user=outsider),
    ):
        with pytest.raises(PermissionDenied):
            call()
    asset.refresh_from_db()
    assert asset.status == Status.PUBLISHED


def test_publish_withdraw_lifecycle_sets_published_at_once(editor, home_org, indexed):
    asset = make(home_org, user=editor)
    asset_publish(asset=asset, user=editor)
    first = asset.published_at
    assert asset.status == Status.PUBLISHED and first is not None
    asset_withdraw(asset=asset, user=editor)
    asset_publish(asset=asset, user=editor)
    asset.refresh_from_db()
    assert asset.status == Status.PUBLISHED and asset.published_at == first
    assert len(indexed) == 4


def test_delete_leaves_a_tombstone_row(editor, home_org, indexed):
    asset = AssetFactory(organisation=home_org)
    asset_delete(asset=asset, user=editor)
    asset.refresh_from_db()
    assert asset.status == Status.DELETED
    assert asset.deleted_at is not None
    assert Asset.objects.filter(pk=asset.pk).exists()
    assert not Asset.objects.live().filter(pk=asset.pk).exists()
    assert indexed == [[asset.id]]
    with pytest.raises(ValidationError):
        asset_update(asset=asset, user=editor, title={"en": "Back"})
    with pytest.raises(ValidationError):
        asset_publish(asset=asset, user=editor)


def test_edtf_dating_gives_start_and_end_years(home_org):
    asset = make(home_org, dating="1850/1870")
    assert (asset.start_year, asset.end_year) == (1850, 1870)
    asset = make(home_org, dating="18XX", slug="unspecified")
    assert (asset.start_year, asset.end_year) == (1800, 1899)
    asset = make(home_org, dating="1700/..", slug="open-ended")
    assert (asset.start_year, asset.end_year) == (1700, None)


def test_given_years_are_kept_and_changed_dating_updates_them(home_org):
    asset = make(home_org, dating="1850", start_year=1848, end_year=1852)
    assert (asset.start_year, asset.end_year) == (1848, 1852)
    asset_update(asset=asset, dating="1901~")
    assert (asset.start_year, asset.end_year) == (1901, 1901)


@pytest.mark.parametrize("bad", ["sometime in 1850", "2020-13", "1850/1840x"])
def test_invalid_edtf_is_refused(home_org, bad):
    with pytest.raises(ValidationError) as exc:
        make(home_org, dating=bad)
    assert "dating" in exc.value.message_dict


def test_parse_dating_handles_bce_years():
    assert parse_dating("-0100/0100") == (-100, 100)


POLYGON = {
    "type": "Polygon",
    "coordinates": [[[21.84, 55.91], [21.85, 55.91], [21.85, 55.92], [21.84, 55.91]]],
}


@pytest.mark.parametrize(
    "geometry",
    [
        {"type": "Point", "coordinates": [21.84, 55.91]},
        POLYGON,
        {"type": "MultiPolygon", "coordinates": [POLYGON["coordinates"]]},
        {"type": "LineString", "coordinates": [[21.84, 55.91], [21.85, 55.92, 120.0]]},
        {"type": "GeometryCollection", "geometries": [POLYGON]},
    ],
)
def test_valid_geojson_geometries_pass(geometry):
    validate_geometry(geometry)


@pytest.mark.parametrize(
    "geometry",
    [
        {"type": "Circle", "coordinates": [21.84, 55.91]},
        {"type": "Point"},
        {"type": "Point", "coordinates": [55.91]},
        {"type": "Point", "coordinates": [200.0, 55.91]},
        {"type": "Point", "coordinates": [21.84, 95.0]},
        {"type": "Point", "coordinates": ["21.84", "55.91"]},
        {"type": "LineString", "coordinates": [[21.84, 55.91]]},
        {"type": "Polygon", "coordinates": [[[21.84, 55.91], [21.85, 55.91], [21.85, 55.92]]]},
        {
            "type": "Polygon",
            "coordinates": [[[21.84, 55.91], [21.85, 55.91], [21.85, 55.92], [21.8, 55.9]]],
        },
        [21.84, 55.91],
    ],
)
def test_invalid_geojson_is_refused(geometry):
    with pytest.raises(ValidationError):
        validate_geometry(geometry)


def test_point_geometry_fills_latitude_and_longitude(home_org):
    asset = make(
        home_org, lat=None, lon=None, geometry={"type": "Point", "coordinates": [21.8, 55.9]}
    )
    assert (asset.lat, asset.lon) == (55.9, 21.8)


def test_asset_with_bad_geometry_is_not_saved(home_org):
    with pytest.raises(ValidationError) as exc:
        make(home_org, geometry={"type": "Point", "coordinates": [55.91, 221.84]})
    assert "geometry" in exc.value.message_dict
    assert not Asset.objects.exists()


def test_unknown_theme_is_refused(home_org):
    with pytest.raises(ValidationError) as exc:
        make(home_org, themes=["public-space", "space-travel"])
    assert "themes" in exc.value.message_dict


def test_identifiers_are_created_with_the_asset(home_org):
    asset = make(home_org, identifiers=[("lt-kvr", "DEMO-1"), ("wikidata", "Q1")])
    assert sorted(asset.identifiers.values_list("scheme", flat=True)) == ["lt-kvr", "wikidata"]


def test_deferred_indexing_indexes_once_at_the_end(home_org, indexed):
    with deferred_indexing():
        first = make(home_org, slug="one")
        second = make(home_org, slug="two")
        assert indexed == []
    assert len(indexed) == 1 and set(indexed[0]) == {first.id, second.id}
