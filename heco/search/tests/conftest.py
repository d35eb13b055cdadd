import pytest

from heco.search import SearchQuery, search
from heco.search.index import index_assets
from heco.testing.factories import AssetFactory, CommunityFactory, OrganisationFactory


@pytest.fixture
def lt_org(db):
    community = CommunityFactory(
        slug="plunge", name={"lt": "Plungė", "en": "Plunge"}, country="LT", lat=55.91, lon=21.84
    )
    return OrganisationFactory(
        slug="plunge-library", name={"lt": "Plungės biblioteka"}, community=community
    )


@pytest.fixture
def it_org(db):
    community = CommunityFactory(
        slug="matera", name={"it": "Matera"}, country="IT", lat=40.67, lon=16.60
    )
    return OrganisationFactory(
        slug="matera-museo", name={"it": "Museo di Matera"}, community=community
    )


@pytest.fixture
def make_asset(db):
    """Create an asset (published by default) and index it."""

    def make(index=True, **kwargs):
        asset = AssetFactory(**kwargs)
        if index:
            index_assets([asset.id])
        return asset

    return make


def find(q="", **kwargs):
    """Asset ids found for a query (a helper, not a fixture)."""
    return search(SearchQuery(q=q, **kwargs)).ids
