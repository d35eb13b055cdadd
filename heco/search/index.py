"""Keeping the search index current. Service functions call these after every write."""


def index_assets(asset_ids, documents=()) -> None:
    """(Re)index the given assets; unpublished or deleted ones are removed from the index.

    ``documents``: (IndexDocument, updated_at) pairs of new assets whose documents were built
    beforehand (the harvest); each is used when its asset has not changed since.
    """
    from heco.search.backends import get_backend

    get_backend().index_assets(list(asset_ids), documents)
    _pages_changed()


def rebuild(progress=None) -> int:
    """Rebuild the whole index; returns the number of indexed assets."""
    from heco.search.backends import get_backend

    count = get_backend().rebuild(progress=progress)
    _pages_changed()
    return count


def _pages_changed() -> None:
    """Search result pages in the anonymous page cache are stale now (heco.core.cache)."""
    from heco.core.cache import bump_catalogue_version

    bump_catalogue_version()
