"""Retire the cached public pages when anything they show changes.

Saves and deletes of the catalogue's models (through the service functions, the admin or a
shell) bump the catalogue version (heco.core.cache). Bulk writes that send no signals — the
harvest's executemany, ``QuerySet.update`` — bump it where they end: the search indexing call
that follows every write (``heco.search.index.index_assets``) and the service functions.
"""

from __future__ import annotations

from django.db.models.signals import m2m_changed, post_delete, post_save

from heco.core.cache import bump_catalogue_version


def _models():
    from heco.heritage.models import Asset, ExternalIdentifier, Media
    from heco.network.models import Community, Network, Organisation
    from heco.programme.models import Event, Service

    return [Asset, ExternalIdentifier, Media, Community, Network, Organisation, Event, Service]


def _changed(sender, using=None, **kwargs) -> None:
    bump_catalogue_version(using)


def connect() -> None:
    from heco.network.models import Network

    for model in _models():
        post_save.connect(_changed, sender=model, dispatch_uid=f"heco-pages-save-{model.__name__}")
        post_delete.connect(
            _changed, sender=model, dispatch_uid=f"heco-pages-delete-{model.__name__}"
        )
    m2m_changed.connect(
        _changed, sender=Network.organisations.through, dispatch_uid="heco-pages-network-members"
    )
