"""Writes of the harvest app: adding a source, running a harvest.

``source_harvest`` drives a source kind's pages through the Ingestor: one transaction per
page, the checkpoint stored in the same transaction. The next pages are fetched and parsed in
a background thread while one is written (``prefetched``). The search index is updated for
the assets a run touched at the end of the run, whatever its outcome (and every
``INDEX_EVERY`` assets on the way); a run killed before that is caught up by the next run
of the source (``_catch_up_index``).
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time

from django.db import connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from heco.harvest.ingest import Ingestor, PageResult
from heco.harvest.models import HarvestRun, Source, SourceRecord
from heco.harvest.pipeline import ahead, fewer_collections, prepared_pages
from heco.harvest.sources.base import (
    HarvestedRecord,
    Page,
    SourceError,
    SourceUnavailable,
    get_kind,
)
from heco.network.models import Organisation

logger = logging.getLogger(__name__)
MAX_ERRORS_KEPT = 1000
INDEX_EVERY = 20_000  # touched assets held back before the search index is brought up to date
COMMIT_RECORDS = 1_000  # records written per transaction (pages are grouped up to this)
COMMIT_SECONDS = 1.0  # …or for at most this long, so a slow source still commits often
BUMP_EVERY = 2.0  # seconds between two retirements of the cached public pages during a run


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
    harvest_every: int = Source.Interval.DAILY,
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
        harvest_every=harvest_every,
    )
    source.full_clean()
    source.save()
    return source


def index_assets(asset_ids, documents=()) -> None:
    """Hand written assets to search (``documents``: see heco.search.index.index_assets)."""
    if not asset_ids and not documents:
        return
    try:
        from heco.search.index import index_assets as _index
    except ImportError:  # pragma: no cover - search app not installed
        return
    try:
        _index(list(asset_ids), documents)
    except ModuleNotFoundError as exc:  # the search backends are not there yet
        if not (exc.name or "").startswith("heco.search"):
            raise
        logger.warning("search index not updated: %s", exc)


class HarvestBusy(Exception):
    """Another run of the source is under way: this one did not start."""


# first keys of the PostgreSQL advisory locks: runs of a source, and downloads of its images
LOCK_NAMESPACES = {"harvest": 0x68617276, "images": 0x696D6773}  # "harv", "imgs"
_running_here: set = set()  # (what, source id) done by this process (threads)
_running_here_lock = threading.Lock()


@contextlib.contextmanager
def _source_lock(source: Source, what: str = "harvest"):
    """Yield True when this process may do ``what`` ("harvest" or "images") for ``source``
    (no other run of it holds the lock), else False.

    The lock lives as long as the process holding it, whatever ends that: a PostgreSQL
    advisory lock of the connection's session (released when the connection closes), or on
    SQLite a POSIX lock of the file ``<database>.<what>-<id>.lock`` (released when the
    process ends; a forked fetching child does not inherit it). So a run that is "running"
    while nobody holds the lock was killed."""
    key = (what, source.pk)
    with _running_here_lock:
        if key in _running_here:
            yield False
            return
        _running_here.add(key)
    try:
        if connection.vendor == "postgresql":
            lock = [LOCK_NAMESPACES[what], source.pk]
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", lock)
                got = cursor.fetchone()[0]
            try:
                yield got
            finally:
                if got:
                    with connection.cursor() as cursor:
                        cursor.execute("SELECT pg_advisory_unlock(%s, %s)", lock)
        else:
            with _file_lock(source, what) as got:
                yield got
    finally:
        with _running_here_lock:
            _running_here.discard(key)


def source_is_being_harvested(source: Source) -> bool:
    """A run of ``source`` is under way (in this process or another)."""
    with _source_lock(source) as free:
        return not free


@contextlib.contextmanager
def _file_lock(source: Source, what: str):
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not a POSIX system: this process's runs only
        fcntl = None
    name = str(connection.settings_dict["NAME"])
    if fcntl is None or connection.is_in_memory_db():  # no other process shares the data
        yield True
        return
    with open(f"{name}.{what}-{source.pk}.lock", "ab") as handle:
        try:
            fcntl.lockf(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            yield False
            return
        yield True  # closing the file releases the lock


def source_fetch_images(*, source: Source, limit: int | None = None) -> dict:
    """``heco.harvest.images.fetch_images`` for ``source``, one call per source at a time
    (its own lock: a harvest of the source may run meanwhile); returns the report. While
    another call fetches the source's images, nothing is done: the report says ``skipped``
    and why."""
    from heco.harvest.images import fetch_images

    with _source_lock(source, "images") as free:
        if not free:
            reason = f"images of source {source.pk} are being fetched by another call: not started"
            return {"source": source.pk, "status": "skipped", "reason": reason}
        return fetch_images(source, limit=limit).as_dict()


class _PageCache:
    """Retires cached public pages after pages that changed something, at most once every
    ``BUMP_EVERY`` seconds, and once at the end (the harvest writes with executemany and bulk
    updates, which send none of the signals that do it for other writes)."""

    def __init__(self):
        self.last = 0.0
        self.due = False

    def changed(self) -> None:
        self.due = True
        if time.monotonic() - self.last >= BUMP_EVERY:
            self.bump()

    def bump(self) -> None:
        if self.due:
            from heco.core.cache import bump_catalogue_version

            bump_catalogue_version()
            self.last, self.due = time.monotonic(), False


class _PendingIndex:
    """Asset ids written by a run and not yet in the search index, and the documents of the
    new assets among them built ahead (asset id -> (document, updated_at))."""

    def __init__(self):
        self.ids: set = set()
        self.documents: dict = {}

    def add(self, asset_ids, documents=None) -> None:
        self.ids.update(asset_ids)
        self.documents.update(documents or {})
        if len(self.ids) + len(self.documents) >= INDEX_EVERY:
            self.flush()

    def flush(self) -> None:
        ids, documents = self.ids, self.documents
        self.ids, self.documents = set(), {}
        # an asset written again later in the run is built from the database
        built = [pair for pk, pair in documents.items() if pk not in ids]
        index_assets(sorted(ids, key=str), built)


def _catch_up_index(source: Source, now) -> None:
    """Runs of ``source`` left "running" were killed before they indexed what they wrote
    (called with the source's lock held, so none of them is still under way): index the
    assets of the records fetched since the oldest of them, and mark them failed."""
    stale = HarvestRun.objects.filter(source=source, status=HarvestRun.Status.RUNNING)
    oldest = stale.order_by("started_at").values_list("started_at", flat=True).first()
    if oldest is None:
        return
    stale.update(status=HarvestRun.Status.FAILED, finished_at=now)
    touched = (
        SourceRecord.objects.filter(source=source, fetched_at__gte=oldest, asset__isnull=False)
        .values_list("asset_id", flat=True)
        .distinct()
    )
    pending = _PendingIndex()
    for asset_id in touched.iterator(chunk_size=5000):
        pending.add([asset_id])
    pending.flush()


class _Totals:
    def __init__(self, run: HarvestRun):
        self.run = run
        self.unidentified = 0  # failed records without an identifier

    def add(self, page: PageResult) -> None:
        run = self.run
        self.unidentified += page.unidentified
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
    ``progress(done, total)`` is called after each page. Raises ``HarvestBusy`` (and does
    nothing) while another run of the source is under way, in this process or another.
    """
    with fewer_collections():
        return _harvest(source, full, progress)


def _harvest(source: Source, full: bool, progress) -> HarvestRun:
    with _source_lock(source) as free:
        if not free:
            raise HarvestBusy(_busy_message(source))
        return _harvest_alone(source, full, progress)


def _busy_message(source: Source) -> str:
    running = (
        HarvestRun.objects.filter(source=source, status=HarvestRun.Status.RUNNING)
        .order_by("-started_at")
        .first()
    )
    since = (
        f" (run {running.pk}, started {running.started_at:%Y-%m-%d %H:%M:%S %Z})" if running else ""
    )
    return f"source {source.pk} is being harvested by another run{since}: not started"


def _harvest_alone(source: Source, full: bool, progress) -> HarvestRun:
    """A run of ``source``, while it holds the source's lock (so runs left "running" were
    killed)."""
    now = timezone.now()
    _catch_up_index(source, now)  # runs left "running" by a killed process
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
    pending = _PendingIndex()
    page_cache = _PageCache()
    seen: set[str] = set()
    finished_list = False
    problem = ""
    status = HarvestRun.Status.COMPLETED
    try:
        # closing: an error while writing stops the fetching thread at once
        pages = ahead(
            lambda: prepared_pages(kind.fetch(source, checkpoint, since), ingestor.prepare_records)
        )
        with contextlib.closing(pages) as fetched:
            groups = _committed_groups(source, ingestor, totals, fetched, list_started_at, since)
            for group in groups:
                for page, result in group:
                    if result.created or result.updated or result.deleted:
                        page_cache.changed()
                    pending.add(result.asset_ids, result.documents)
                    seen.update(result.seen)
                    if progress:
                        progress(page.list_fetched or run.fetched, page.complete_list_size)
                    if page.last:
                        finished_list = True
                        problem = _missing_records(page)
                        if problem:
                            status = HarvestRun.Status.PARTIAL
            if not finished_list and status == HarvestRun.Status.COMPLETED:
                status = HarvestRun.Status.PARTIAL
                problem = problem or "the list ended without a last page"
    except SourceUnavailable as exc:
        status, problem = HarvestRun.Status.PARTIAL, str(exc)
    except SourceError as exc:
        status, problem = HarvestRun.Status.FAILED, str(exc)
    except KeyboardInterrupt:
        page_cache.bump()
        pending.flush()
        _finish(run, HarvestRun.Status.PARTIAL, "interrupted")
        raise
    except Exception as exc:  # noqa: BLE001 - a run never crashes without a report
        logger.exception("harvest of source %s failed", source.pk)
        status, problem = HarvestRun.Status.FAILED, f"{type(exc).__name__}: {exc}"
    if status == HarvestRun.Status.COMPLETED and kind.snapshot:
        deleted_before = run.deleted
        _sweep_snapshot(source, ingestor, totals, seen, run, pending)
        page_cache.due = page_cache.due or run.deleted > deleted_before
    page_cache.bump()
    # what the run wrote goes into the search index before the run is reported finished, so a
    # process killed before this point leaves the run "running" for _catch_up_index
    try:
        pending.flush()
    except Exception as exc:  # noqa: BLE001 - the records are in; say what is missing
        logger.exception("search index not updated after harvest of source %s", source.pk)
        status = HarvestRun.Status.FAILED
        problem = "; ".join(
            filter(None, [problem, f"search index not updated ({type(exc).__name__}: {exc})"])
        )
    if status == HarvestRun.Status.COMPLETED:
        source.last_success_at = list_started_at
        source.checkpoint = {}
        source.save(update_fields=["last_success_at", "checkpoint"])
    _finish(run, status, problem)
    return run


def _committed_groups(source, ingestor, totals, pages, list_started_at, since):
    """Write ``pages`` and yield them, in groups of ``[(page, PageResult)]``, each group
    committed in one transaction with the checkpoint after its last page and the run's counts.

    A group closes after ``COMMIT_RECORDS`` records or ``COMMIT_SECONDS`` (waiting for its
    pages, which happens outside the transaction), or at the list's last page: one commit
    per page made small pages (100 records) pay more for committing than for writing. A
    crash rolls back the group being written and nothing before it, so the next run resumes
    after the last committed page. An error of the source (a page that cannot be fetched)
    closes the group first: the pages before it are kept, then it is raised.
    """
    pages = iter(pages)
    run = totals.run
    while True:
        waiting, records, error = [], 0, None
        started = time.monotonic()
        # the pages are gathered before the transaction begins: waiting for a slow source
        # must not hold the database's write lock (SQLite) or locked rows (staff edits wait)
        while True:
            try:
                page = next(pages)
            except StopIteration:
                break
            except Exception as exc:  # noqa: BLE001 - raised below, once this group is in
                error = exc
                break
            waiting.append(page)
            records += len(page.records)
            if (
                page.last
                or records >= COMMIT_RECORDS
                or time.monotonic() - started >= COMMIT_SECONDS
            ):
                break
        if waiting:
            with transaction.atomic():
                group = [(page, ingestor.write_page(page.records)) for page in waiting]
                _save_checkpoint(source, group[-1][0], list_started_at, since)
                for _page, result in group:
                    totals.add(result)
                counts = ["fetched", "created", "updated", "deleted", "failed", "conflicts"]
                errors = any(result.errors for _page, result in group)
                run.save(update_fields=counts + ["errors"] if errors else counts)
            yield group
        if error is not None:
            raise error
        if not waiting:
            return


def _save_checkpoint(source, page: Page, list_started_at, since) -> None:
    """Where to resume after ``page`` (nothing once a list is finished)."""
    if page.checkpoint:
        source.checkpoint = {
            **page.checkpoint,
            "list_started_at": list_started_at.isoformat(),
            "since": since.isoformat() if since else None,
        }
    else:
        source.checkpoint = {}
    source.save(update_fields=["checkpoint"])


def _missing_records(last_page: Page) -> str:
    """Why a list is not complete although its last page came, or ""."""
    expected, got = last_page.complete_list_size, last_page.list_fetched
    if expected is not None and got is not None and got < expected:
        return f"the source announced {expected} records (completeListSize) but sent {got}"
    return ""


def _finish(run: HarvestRun, status: str, problem: str) -> None:
    if problem:
        run.errors.append({"identifier": "", "reason": problem})
    run.status = status
    run.finished_at = timezone.now()
    run.save()
    from heco.core.db import refresh_statistics

    # a large run changes what the planner should know (see heco.core.db)
    refresh_statistics(
        "heritage_asset",
        "harvest_sourcerecord",
        changed=(run.created or 0) + (run.updated or 0) + (run.deleted or 0),
    )


def _sweep_snapshot(source, ingestor, totals, seen, run, pending) -> None:
    """A snapshot (file, feed) that no longer holds a record means it was deleted there.

    Unless a record could not be read far enough to know its identifier: the missing ones
    may be among those, so nothing is deleted, and the report says so."""
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
    if gone and totals.unidentified:
        run.errors.append(
            {
                "identifier": "",
                "reason": f"{len(gone)} record(s) no longer in the source, but "
                f"{totals.unidentified} could not be read far enough to know which: "
                "nothing was deleted in this run",
            }
        )
        return
    for start in range(0, len(gone), 500):
        batch = [HarvestedRecord(identifier=i, deleted=True) for i in gone[start : start + 500]]
        with transaction.atomic():
            result = ingestor.write_page(batch)
        result.fetched = 0
        pending.add(result.asset_ids)
        totals.add(result)


def last_run(source: Source) -> HarvestRun | None:
    return source.runs.order_by("-started_at").first()
