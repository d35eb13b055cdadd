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
