"""Every page does a fixed number of queries, whatever the size of the data."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from heco.site.tests.conftest import add_image
from heco.testing.factories import (
    AssetFactory,
    EventFactory,
    ExternalIdentifierFactory,
    OrganisationFactory,
    ServiceFactory,
)

URLS = [
    "/en/",
    "/en/assets/oginskiai-manor/",
    "/en/organisations/zemaitija-museum/",
    "/en/communities/plunge/",
    "/en/networks/heco/",
    "/en/services/",
    "/en/services/manor-tours/",
    "/en/events/",
    "/en/events/calendar/",
    "/en/events/summer-concert/",
    "/en/search/",
    "/en/search/?q=manor&kind=building",
    "/en/search/?view=map",
    "/sitemap.xml",
    "/sitemaps/assets-1.xml",
    "/sitemaps/organisations-1.xml",
]


def count_queries(client, url) -> int:
    cache.clear()
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def grow(world, n: int = 12):
    """Add n of everything around the same museum, community and manor."""
    museum, community, manor = world["museum"], world["community"], world["manor"]
    for i in range(n):
        org = OrganisationFactory(slug=f"grow-org-{i}", community=community)
        world["network"].organisations.add(org)
        asset = AssetFactory(
            slug=f"grow-asset-{i}",
            organisation=museum if i % 2 else org,
            community=community,
            lat=55.95 + i / 1000,
            lon=21.84 + i / 1000,
            featured=True,
        )
        add_image(asset)
        add_image(manor, credit=f"Photographer {i}")
        ExternalIdentifierFactory(asset=asset)
        ServiceFactory(
            slug=f"grow-service-{i}", organisation=museum, asset=manor if i % 2 else asset
        )
        EventFactory(
            slug=f"grow-event-{i}",
            organisation=museum,
            asset=manor if i % 2 else asset,
            start=timezone.now() + dt.timedelta(days=i + 1),
        )
        EventFactory(
            slug=f"grow-weekly-{i}",
            organisation=museum,
            asset=manor,
            start=timezone.now() + dt.timedelta(hours=i + 1),
            rrule="FREQ=WEEKLY;COUNT=4",
        )


@pytest.mark.parametrize("url", URLS)
def test_page_query_count_does_not_grow_with_the_data(
    client, indexed, django_assert_max_num_queries, url
):
    from heco.search.index import rebuild

    small = count_queries(client, url)
    grow(indexed)
    rebuild()
    cache.clear()
    with django_assert_max_num_queries(small):
        response = client.get(url)
    assert response.status_code == 200
