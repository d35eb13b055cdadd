"""Search: ``from heco.search import search, SearchQuery``."""

from heco.search.base import FacetValue, SearchQuery, SearchResult  # noqa: F401


def search(query):
    from heco.search.backends import get_backend

    return get_backend().search(query)
