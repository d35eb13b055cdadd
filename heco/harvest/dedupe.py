"""Confirming a proposed duplicate: merge one asset into the other, keeping provenance."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from heco.harvest.models import DuplicateCandidate, SourceRecord
from heco.heritage.models import ExternalIdentifier


@transaction.atomic
def duplicate_confirm(*, candidate: DuplicateCandidate) -> None:
    """Merge ``candidate.asset`` into ``candidate.other``.

    Its source records now point at the kept asset (as non-origin records, so they no longer
    write its fields), its external identifiers move over, and it becomes a tombstone.
    """
    duplicate, kept = candidate.asset, candidate.other
    SourceRecord.objects.filter(asset=duplicate).update(asset=kept, is_origin=False)
    ExternalIdentifier.objects.filter(asset=duplicate).update(asset=kept)
    duplicate.tombstone()
    duplicate.save(update_fields=["status", "deleted_at", "updated_at"])
    candidate.status = DuplicateCandidate.Status.CONFIRMED
    candidate.decided_at = timezone.now()
    candidate.save(update_fields=["status", "decided_at"])
    transaction.on_commit(lambda: _reindex([duplicate.pk, kept.pk]))


def _reindex(ids) -> None:
    from heco.harvest.services import index_assets

    index_assets(ids)
