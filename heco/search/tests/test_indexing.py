"""Keeping the index current; rebuild; the command; the bounded (estimated) path."""

import io

import pytest
from django.core.management import call_command

from heco.heritage.models import Asset
from heco.search import SearchQuery, search
from heco.search.backends import base
from heco.search.index import index_assets, rebuild
from heco.search.models import SearchDocument, SearchText
from heco.testing.factories import AssetFactory, OrganisationFactory

from .conftest import find


@pytest.mark.parametrize("status", ["draft", "review", "withdrawn", "deleted"])
def test_unpublished_assets_are_not_indexed(make_asset, status):
    make_asset(title={"en": "Secret mill"}, status=status)
    assert find("mill") == []
    assert not SearchDocument.objects.exists()


def test_reindex_after_edit_finds_the_new_text_only(make_asset):
    asset = make_asset(title={"en": "Old mill"})
    asset.title = {"en": "Restored granary"}
    asset.save()
    index_assets([asset.id])
    assert find("granary") == [asset.id]
    assert find("mill") == []
    assert SearchDocument.objects.count() == SearchText.objects.count() == 1


def test_reindex_keeps_the_docid_of_an_asset(make_asset):
    asset = make_asset()
    docid = SearchDocument.objects.get(asset_id=asset.id).docid
    index_assets([asset.id, str(asset.id)])
    assert SearchDocument.objects.get(asset_id=asset.id).docid == docid


def test_tombstoned_asset_is_removed_from_the_index(make_asset):
    asset = make_asset(title={"en": "Chapel"})
    asset.tombstone()
    asset.save()
    index_assets([asset.id])
    assert find("chapel") == []
    assert not SearchDocument.objects.exists()
    assert not SearchText.objects.exists()


def test_withdrawn_then_republished_asset_comes_back(make_asset):
    asset = make_asset(title={"en": "Chapel"})
    Asset.objects.filter(id=asset.id).update(status="withdrawn")
    index_assets([asset.id])
    assert find("chapel") == []
    Asset.objects.filter(id=asset.id).update(status="published")
    index_assets([asset.id])
    assert find("chapel") == [asset.id]


def test_hard_deleted_asset_is_removed_from_the_index(make_asset):
    asset = make_asset(title={"en": "Chapel"})
    asset_id = asset.id
    asset.delete()
    index_assets([asset_id])
    assert find("chapel") == []


def test_organisation_rename_is_picked_up_on_reindex(make_asset):
    org = OrganisationFactory(name={"en": "Town museum"})
    asset = make_asset(organisation=org)
    org.name = {"en": "Amber gallery"}
    org.save()
    assert find("amber") == []
    index_assets([asset.id])
    assert find("amber") == [asset.id]


def test_bulk_indexing_uses_a_bounded_number_of_queries(db, django_assert_max_num_queries):
    org = OrganisationFactory()
    assets = [AssetFactory(organisation=org, title={"en": f"Mill {n}"}) for n in range(120)]
    with django_assert_max_num_queries(30):
        index_assets([a.id for a in assets])
    assert search(SearchQuery(q="mill")).total == 120


def test_rebuild_indexes_published_assets_heaviest_first(db):
    light = AssetFactory(title={"en": "Mill A"})
    heavy = AssetFactory(title={"en": "Mill B"}, featured=True)
    AssetFactory(title={"en": "Mill C"}, status="draft")
    calls = []
    assert rebuild(progress=lambda done, total: calls.append((done, total))) == 2
    assert calls[-1] == (2, 2)
    docids = dict(SearchDocument.objects.values_list("asset_id", "docid"))
    assert docids == {heavy.id: 1, light.id: 2}
    assert search(SearchQuery(q="mill")).ids == [heavy.id, light.id]
    # a second rebuild starts again from an empty index
    assert rebuild() == 2
    assert search(SearchQuery(q="mill")).total == 2


def test_rebuild_command_and_query_command(db):
    asset = AssetFactory(title={"lt": "Plungės dvaras"}, kind="building")
    out = io.StringIO()
    call_command("search", "rebuild", stdout=out)
    assert "1" in out.getvalue()
    assert find("plunge") == [asset.id]
    out = io.StringIO()
    call_command("search", "query", "plunges", "--kind", "building", stdout=out)
    text = out.getvalue()
    assert "1 results" in text and asset.slug in text and "kind: building=1" in text


def test_index_command_indexes_given_assets(db):
    asset = AssetFactory(title={"en": "Lighthouse"})
    call_command("search", "index", str(asset.id), stdout=io.StringIO())
    assert find("lighthouse") == [asset.id]


def test_large_result_sets_are_bounded_and_marked_as_estimates(db, monkeypatch):
    monkeypatch.setattr(base, "EXACT_LIMIT", 10)
    monkeypatch.setattr(base, "RANK_CANDIDATES", 4)
    org = OrganisationFactory()
    assets = [AssetFactory(organisation=org, title={"en": f"Mill {n}"}) for n in range(30)]
    rebuild()
    for params in ({"q": "mill"}, {"q": "mill", "kind": ("building",)}, {"kind": ("building",)}):
        result = search(SearchQuery(limit=50, **params))
        assert not result.total_exact and not result.facets_exact
        assert result.total == 30  # docids are dense, so the extrapolation is exact here
        assert {v.value: v.count for v in result.facets["kind"]} == {"building": 30}
        assert sorted(result.ids) == sorted(a.id for a in assets)
    # pages beyond the bounded window still work
    deep = search(SearchQuery(q="mill", offset=25, limit=10))
    assert len(deep.ids) == 5
    everything = search(SearchQuery(facets=False, limit=50))
    assert everything.total == 30 and everything.total_exact


def test_index_writes_retire_cached_pages(make_asset, settings, tmp_path):
    """Search pages in the anonymous page cache must not outlive an index write, whoever
    made it (a harvest's fast path writes rows without model signals)."""
    from heco.core.cache import catalogue_version

    settings.DATA_DIR = tmp_path
    asset = make_asset(title={"en": "Granary"})
    versions = [catalogue_version()]
    index_assets([asset.id])
    versions.append(catalogue_version())
    rebuild()
    versions.append(catalogue_version())
    assert len(set(versions)) == 3
