"""Visitors opening the search page at the same moment, with the facet counts to recount
(a new installation, an invalidation), all get the page: one of them recounts, the others
wait for it and read its counts (a race here was a 500 on PostgreSQL)."""

import threading

import pytest
from django.db import connection, connections

from heco.search import SearchQuery, search
from heco.search.index import index_assets
from heco.search.models import SearchFacetCount
from heco.testing.factories import AssetFactory

VISITORS = 4


@pytest.mark.django_db(transaction=True)
def test_simultaneous_browses_recount_the_facets_once_and_all_succeed():
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("threads cannot each open SQLite's in-memory test database")
    assets = [
        AssetFactory(slug=f"facet-asset-{i}", kind="building" if i % 2 else "site")
        for i in range(6)
    ]
    index_assets([a.pk for a in assets])
    expected = search(SearchQuery())
    assert expected.total == 6
    SearchFacetCount.objects.all().delete()  # the counts must be made again
    start = threading.Barrier(VISITORS)
    results, errors = [], []

    def visit():
        try:
            start.wait()
            results.append(search(SearchQuery()))
        except Exception as exc:  # noqa: BLE001 - collected and reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=visit) for _ in range(VISITORS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert len(results) == VISITORS
    for result in results:
        assert result.total == expected.total and result.facets == expected.facets
    assert SearchFacetCount.objects.filter(facet="", value="").get().count == 6
