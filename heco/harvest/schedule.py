"""Harvests on a schedule: which sources are due, queuing their runs for the worker, and the
worker's tick that checks every ``TICK_EVERY``.

A source is due ``harvest_every`` after the start of its last run, successful or not (a
source that keeps failing waits its interval like any other, instead of being tried at every
tick). A source is not queued while a harvest of it is already queued (a ``harvest_source``
task waiting for the worker) or under way (its lock is held: ``services._source_lock``, which
ends with the process however it ends, so a killed run does not block its source for ever).

The tick is the task ``harvest_due``: it queues what is due and then its own next run, on
the next ``TICK_EVERY`` mark of the clock. ``heco worker`` makes sure one tick is pending when
it starts; ``heco harvest-due`` does a tick's work once (for cron).
"""

from __future__ import annotations

import contextlib
import enum
import logging
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone
from django_tasks import TaskResultStatus

from heco.harvest.models import Source
from heco.harvest.services import source_is_being_harvested

logger = logging.getLogger(__name__)

TICK_EVERY = timedelta(minutes=10)
# A run starts a little after the tick that queued it (the worker takes the task, then other
# queued runs go first): counting its interval from that later start would move the source to
# the tick after, every time. A source is therefore due up to half a tick early.
EARLY = TICK_EVERY / 2
QUEUE_LOCK = 0x68656368_65647565  # PostgreSQL advisory lock key ("hechedue")


class Enqueued(enum.StrEnum):
    QUEUED = "queued"
    ALREADY_QUEUED = "already_queued"  # a harvest_source task for it waits for the worker
    RUNNING = "running"  # a run of it is under way


@dataclass
class DueReport:
    """What one check did (the shape of ``heco harvest-due --json``): source ids."""

    checked_at: str
    queued: list[int] = field(default_factory=list)
    already_queued: list[int] = field(default_factory=list)
    running: list[int] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


def harvests_enqueue_due(*, now: datetime | None = None) -> DueReport:
    """Queue ``harvest_source`` for every active source that is due at ``now``."""
    now = now or timezone.now()
    report = DueReport(checked_at=now.isoformat())
    for source in Source.objects.filter(active=True).with_last_started_at():
        if source.next_harvest_at() <= now + EARLY:
            outcome = harvest_enqueue(source=source)
            getattr(report, outcome.value).append(source.pk)
    if report.queued:
        logger.info("harvests queued for sources %s", report.queued)
    return report


def harvest_enqueue(*, source: Source) -> Enqueued:
    """Queue an incremental harvest of ``source`` for the worker, unless one is already
    queued or under way (then nothing is done). Says which."""
    from heco.harvest.tasks import harvest_source

    with _queue_locked():
        if source.pk in _queued(harvest_source.module_path):
            return Enqueued.ALREADY_QUEUED
        if source_is_being_harvested(source):
            return Enqueued.RUNNING
        harvest_source.enqueue(source.pk)
    return Enqueued.QUEUED


def harvest_tick_ensure(*, run_after: datetime | None = None) -> bool:
    """Queue the tick (``harvest_due``) to run at ``run_after`` (at once: None) unless a tick
    is already pending; True when it queued one."""
    from heco.harvest.tasks import harvest_due

    with _queue_locked():
        if _pending(harvest_due.module_path).exists():
            return False
        (harvest_due.using(run_after=run_after) if run_after else harvest_due).enqueue()
    return True


def next_tick(now: datetime) -> datetime:
    """The next ``TICK_EVERY`` mark of the clock after ``now`` (10:20, 10:30, …): ticks stay
    on the marks whatever the worker's delays, so the sources they queue do not drift."""
    step = TICK_EVERY.total_seconds()
    return datetime.fromtimestamp((now.timestamp() // step + 1) * step, tz=UTC)


def ticks_prune(*, now: datetime) -> int:
    """Remove the results of ticks that ended well before ``now`` (one every ``TICK_EVERY``
    would pile up in the queue's table); failed ones stay for a look."""
    from django_tasks_db.models import DBTaskResult

    from heco.harvest.tasks import harvest_due

    deleted, _ = DBTaskResult.objects.filter(
        task_path=harvest_due.module_path,
        status=TaskResultStatus.SUCCESSFUL,
        finished_at__lt=now - timedelta(days=1),
    ).delete()
    return deleted


def _pending(task_path: str):
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(task_path=task_path, status=TaskResultStatus.READY)


def _queued(task_path: str) -> set[int]:
    """The sources that tasks of ``task_path`` waiting for the worker are for."""
    queued = set()
    for args_kwargs in _pending(task_path).values_list("args_kwargs", flat=True):
        args, kwargs = args_kwargs.get("args") or [], args_kwargs.get("kwargs") or {}
        queued.add(args[0] if args else kwargs.get("source_id"))
    return queued


@contextlib.contextmanager
def _queue_locked():
    """A transaction in which this process alone looks at the queue and adds to it (so two
    workers starting at once queue one tick, and a click in the back office during a tick
    queues one harvest): on PostgreSQL an advisory lock until it ends, on SQLite the write
    lock every transaction takes as it begins (``transaction_mode`` IMMEDIATE)."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [QUEUE_LOCK])
        yield
