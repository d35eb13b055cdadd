"""Reads for the provider side: which assets each protocol exposes, fetched without N+1.

Exposure rules (written once, used by OAI-PMH, the data URLs and IIIF):

* ``published`` assets are disseminated in full;
* ``deleted`` and ``withdrawn`` assets that were once published (``published_at`` set) are
  reported to OAI-PMH harvesters as deleted records (``deletedRecord`` = persistent), so an
  aggregator that copied them learns to drop them. Withdrawn is treated like deleted because,
  from an aggregator's point of view, the record has left the public catalogue; if it is
  published again it simply comes back with a newer datestamp;
* ``draft`` and ``review`` assets, and tombstones of never-published assets, are not exposed.
"""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet

from heco.core.models import Status
from heco.heritage.models import Asset, Media

TOMBSTONE_STATUSES = (Status.DELETED, Status.WITHDRAWN)
EXPOSED = Q(status=Status.PUBLISHED) | Q(status__in=TOMBSTONE_STATUSES, published_at__isnull=False)


def with_crosswalk_relations(qs: QuerySet[Asset]) -> QuerySet[Asset]:
    """Everything the crosswalks read, in a fixed number of queries per page."""
    return qs.select_related("organisation", "community").prefetch_related(
        Prefetch("media", queryset=Media.objects.order_by("position", "created_at", "id")),
        "identifiers",
    )


def oai_assets() -> QuerySet[Asset]:
    """Assets an OAI-PMH harvester may see: published ones and the tombstones of published ones."""
    return Asset.objects.filter(EXPOSED)


def is_tombstone(asset: Asset) -> bool:
    return asset.status in TOMBSTONE_STATUSES


def published_assets() -> QuerySet[Asset]:
    return Asset.objects.published()


def published_images(asset: Asset) -> list[Media]:
    """Image media with a file, in display order (uses the prefetched ``media`` when present)."""
    return [m for m in asset.media.all() if m.kind == Media.Kind.IMAGE and m.file]


def assets_with_images() -> QuerySet[Asset]:
    """Published assets that have at least one image file: the ones that get a IIIF manifest."""
    return published_assets().filter(media__kind=Media.Kind.IMAGE, media__file__gt="").distinct()
