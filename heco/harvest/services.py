"""Writes of the harvest app: adding a source, running a harvest.

``source_harvest`` drives a source kind's pages through the Ingestor: one transaction per
page, the checkpoint stored in the same transaction, the search index updated once per page.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from heco.harvest.ingest import Ingestor, PageResult
from heco.harvest.models import HarvestRun, Source, SourceRecord
from heco.harvest.sources.base import (
    HarvestedRecord,
    SourceError,
    SourceUnavailable,
    get_kind,
)
from heco.network.models import Organisation

logger = logging.getLogger(__name__)
MAX_ERRORS_KEPT = 1000


def source_add(
    *,
    kind: str,
    url: str,
    organisation: Organisation,
    metadata_prefix: str = "",
    set_spec: str = "",
    mapping: dict | None = None,
    aggregator: str = "",
    name: str = "",
) -> Source:
    get_kind(kind)  # raises SourceError for an unknown kind
    if kind == Source.Kind.OAI_PMH and not metadata_prefix:
        metadata_prefix = "oai_dc"
    source = Source(
        kind=kind,
        url=url,
        organisation=organisation,
        metadata_prefix=metadata_prefix,
        set_spec=set_spec,
        mapping=mapping or {},
        aggregator=aggregator,
        name=name,
    )
    source.full_clean()
    source.save()
    return source


def index_assets(asset_ids) -> None:
    """Hand the written assets to search, once per page."""
    if not asset_ids:
        return
    try:
        from heco.search.index import index_assets as _index
    except ImportError:  # pragma: no cover - search app not installed
        return
    try:
        _index(list(asset_ids))
    except ModuleNotFoundError as exc:  # the search backends are not there yet
        if not (exc.name or "").startswith("heco.search"):
            raise
        logger.warning("search index not updated: %s", exc)


class _Totals:
    def __init__(self, run: HarvestRun):
        self.run = run

    def add(self, page: PageResult) -> None:
        run = self.run
        run.fetched += page.fetched
        run.created += page.created
        run.updated += page.updated
        run.deleted += page.deleted
        run.failed += page.failed
        run.conflicts += page.conflicts
        room = MAX_ERRORS_KEPT - len(run.errors)
        if room > 0:
            run.errors.extend(page.errors[:room])


def source_harvest(*, source: Source, full: bool = False, progress=None) -> HarvestRun:
    """Harvest ``source``: incremental from the last success unless ``full``.

    Resumes an interrupted list from the stored checkpoint. The run ends ``completed`` only
    when the whole list was read (and, where the source says how many records it holds, that
    many were seen); ``partial`` when the source became unreadable (the checkpoint is kept so
    the next run resumes there); ``failed`` when the source refused the request.
    ``progress(done, total)`` is called after each page.
    """
    now = timezone.now()
    # runs left "running" by a killed process
    HarvestRun.objects.filter(source=source, status=HarvestRun.Status.RUNNING).update(
        status=HarvestRun.Status.FAILED, finished_at=now
    )
    run = HarvestRun.objects.create(source=source, started_at=now, full=full)
    kind = get_kind(source.kind)
    checkpoint = {} if full else dict(source.checkpoint or {})
    if checkpoint.get("token") or checkpoint.get("list_started_at"):
        list_started_at = parse_datetime(checkpoint.get("list_started_at") or "") or now
        since = parse_datetime(checkpoint["since"]) if checkpoint.get("since") else None
    else:
        checkpoint = {}
        list_started_at = now
        since = None if full else source.last_success_at
    ingestor = Ingestor(source)
    totals = _Totals(run)
    seen: set[str] = set()
    finished_list = False
    problem = ""
    status = HarvestRun.Status.COMPLETED
    try:
        for page in kind.fetch(source, checkpoint, since):
            with transaction.atomic():
                result = ingestor.write_page(page.records)
                if page.checkpoint:
                    source.checkpoint = {
                        **page.checkpoint,
                        "list_started_at": list_started_at.isoformat(),
                        "since": since.isoformat() if since else None,
                    }
                else:
                    source.checkpoint = {}
                source.save(update_fields=["checkpoint"])
            index_assets(result.asset_ids)
            totals.add(result)
            seen.update(result.seen)
            run.save(update_fields=["fetched", "created", "updated", "deleted", "failed", "errors"])
            if progress:
                progress(page.list_fetched or run.fetched, page.complete_list_size)
            if page.last:
                finished_list = True
                expected, got = page.complete_list_size, page.list_fetched
                if expected is not None and got is not None and got < expected:
                    status = HarvestRun.Status.PARTIAL
                    problem = (
                        f"the source announced {expected} records (completeListSize) but sent {got}"
                    )
        if not finished_list and status == HarvestRun.Status.COMPLETED:
            status = HarvestRun.Status.PARTIAL
            problem = problem or "the list ended without a last page"
    except SourceUnavailable as exc:
        status, problem = HarvestRun.Status.PARTIAL, str(exc)
    except SourceError as exc:
        status, problem = HarvestRun.Status.FAILED, str(exc)
    except KeyboardInterrupt:
        _finish(run, HarvestRun.Status.PARTIAL, "interrupted")
        raise
    except Exception as exc:  # noqa: BLE001 - a run never crashes without a report
        logger.exception("harvest of source %s failed", source.pk)
        status, problem = HarvestRun.Status.FAILED, f"{type(exc).__name__}: {exc}"
    if status == HarvestRun.Status.COMPLETED and kind.snapshot:
        _sweep_snapshot(source, ingestor, totals, seen, run)
    if status == HarvestRun.Status.COMPLETED:
        source.last_success_at = list_started_at
        source.checkpoint = {}
        source.save(update_fields=["last_success_at", "checkpoint"])
    _finish(run, status, problem)
    return run


def _finish(run: HarvestRun, status: str, problem: str) -> None:
    if problem:
        run.errors.append({"identifier": "", "reason": problem})
    run.status = status
    run.finished_at = timezone.now()
    run.save()


def _sweep_snapshot(source, ingestor, totals, seen, run) -> None:
    """A snapshot (file, feed) that no longer holds a record means it was deleted there."""
    if any(not error.get("identifier") for error in run.errors):
        return  # a bad record without identifier might be one of them: delete nothing
    gone = (
        list(
            SourceRecord.objects.filter(source=source, deleted=False)
            .exclude(identifier__in=seen)
            .values_list("identifier", flat=True)
        )
        if len(seen) < 30000
        else [
            identifier
            for identifier in SourceRecord.objects.filter(source=source, deleted=False)
            .values_list("identifier", flat=True)
            .iterator()
            if identifier not in seen
        ]
    )
    for start in range(0, len(gone), 500):
        batch = [HarvestedRecord(identifier=i, deleted=True) for i in gone[start : start + 500]]
        with transaction.atomic():
            result = ingestor.write_page(batch)
        result.fetched = 0
        index_assets(result.asset_ids)
        totals.add(result)


def last_run(source: Source) -> HarvestRun | None:
    return source.runs.order_by("-started_at").first()
