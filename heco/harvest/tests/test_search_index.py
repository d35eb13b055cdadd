"""Harvested assets reach the search index once per run, whatever the run's outcome."""

import pytest

from heco.core.models import Status
from heco.harvest import services
from heco.harvest.models import HarvestRun
from heco.harvest.services import source_add, source_harvest
from heco.heritage.models import Asset
from heco.search import SearchQuery, search

from .conftest import DC_LIST

pytestmark = pytest.mark.django_db


def add_source(remote, provider):
    return source_add(kind="oai-pmh", url=remote.url, organisation=provider)


def indexed(organisation) -> set:
    return set(search(SearchQuery(organisation=(organisation.slug,), limit=100)).ids)


def published(organisation) -> set:
    return set(
        Asset.objects.filter(organisation=organisation, status=Status.PUBLISHED).values_list(
            "id", flat=True
        )
    )


def test_a_completed_run_indexes_what_it_wrote_and_removes_what_was_deleted(remote, provider):
    remote.routes.update(DC_LIST)
    remote.routes["ListRecords+from"] = "dc_update.xml"
    source = add_source(remote, provider)

    source_harvest(source=source)
    assert len(published(provider)) == 4
    assert indexed(provider) == published(provider)

    second = source_harvest(source=source)  # one record changed, one deleted
    assert second.deleted == 1
    assert len(published(provider)) == 3
    assert indexed(provider) == published(provider)


def test_a_partial_run_still_indexes_what_it_wrote(remote, provider):
    remote.routes.update(DC_LIST)
    remote.routes["dc-2"] = "malformed.xml"
    run = source_harvest(source=add_source(remote, provider))
    assert run.status == HarvestRun.Status.PARTIAL and run.created == 2
    assert len(indexed(provider)) == 2
    assert indexed(provider) == published(provider)


def test_a_run_killed_before_it_indexed_is_caught_up_by_the_next_run(remote, provider, monkeypatch):
    monkeypatch.setattr(services, "COMMIT_RECORDS", 2)  # one page (2 records) per transaction
    remote.routes.update(DC_LIST)
    source = add_source(remote, provider)

    def killed_after_the_first_page(done, total):
        raise SystemExit(1)  # as a worker stopped by a signal: no report, no indexing

    with pytest.raises(SystemExit):
        source_harvest(source=source, progress=killed_after_the_first_page)
    killed = source.runs.get()
    assert killed.status == HarvestRun.Status.RUNNING
    assert len(published(provider)) == 2 and indexed(provider) == set()

    run = source_harvest(source=source)  # resumes after the first page

    assert run.status == HarvestRun.Status.COMPLETED and run.created == 2
    killed.refresh_from_db()
    assert killed.status == HarvestRun.Status.FAILED
    assert len(published(provider)) == 4
    assert indexed(provider) == published(provider)  # the first page's assets too


def documents_handed_to_search(monkeypatch) -> list:
    handed = []
    index_assets = services.index_assets

    def keep(asset_ids, documents=()):
        handed.extend(doc for doc, _updated_at in documents)
        index_assets(asset_ids, documents)

    monkeypatch.setattr(services, "index_assets", keep)
    return handed


@pytest.mark.parametrize(
    "routes, prefix",
    [(DC_LIST, "oai_dc"), ({"ListRecords": "edm_provider.xml"}, "edm")],
    ids=["oai_dc", "edm-with-identifier"],
)
def test_documents_built_ahead_are_those_the_database_gives(
    remote, provider, monkeypatch, routes, prefix
):
    """New assets' search documents are built in the fetching process from the prepared
    values; they must be exactly what build_documents reads back once the asset is stored."""
    from heco.search.documents import build_documents

    handed = documents_handed_to_search(monkeypatch)
    remote.routes.update(routes)
    source = source_add(
        kind="oai-pmh", url=remote.url, organisation=provider, metadata_prefix=prefix
    )
    run = source_harvest(source=source)

    assert run.created and len(handed) == run.created
    for doc in handed:
        [from_database] = build_documents([doc.asset_id])
        assert doc == from_database
        assert (doc.keys, doc.facet_bits) == (from_database.keys, from_database.facet_bits)
    assert indexed(provider) == published(provider)


def test_a_document_built_ahead_is_used_only_while_its_asset_is_unchanged(provider):
    """The harvest hands documents with the asset's updated_at at writing; an asset changed
    before the index is brought up to date (a staff edit) is indexed as it is now."""
    from heco.search.documents import new_asset_document
    from heco.search.index import index_assets
    from heco.testing.factories import AssetFactory

    def built_ahead(asset, title):
        doc = new_asset_document(
            {"title": {"en": title}, "kind": asset.kind, "lat": asset.lat, "lon": asset.lon},
            slug=asset.slug,
            identifiers=[],
            organisation=(provider.slug, provider.name),
            community=(provider.community.slug, provider.community.name, "LT"),
        )
        doc.asset_id = asset.pk
        return doc

    def found(word) -> set:
        return set(search(SearchQuery(q=word, limit=10)).ids)

    unchanged = AssetFactory(organisation=provider, title={"en": "Manor granary"})
    edited = AssetFactory(organisation=provider, title={"en": "Watermill as edited"})
    written_at = edited.updated_at
    Asset.objects.filter(pk=edited.pk).update(updated_at=written_at.replace(year=2030))

    index_assets(
        [],
        documents=[
            (built_ahead(unchanged, "Manor granary ahead"), unchanged.updated_at),
            (built_ahead(edited, "Watermill ahead"), written_at),
        ],
    )

    assert found("ahead") == {unchanged.pk}  # the unchanged asset's document, as handed
    assert found("edited") == {edited.pk}  # the edited one, read from the database
