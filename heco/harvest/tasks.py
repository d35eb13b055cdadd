"""Tasks for the scheduled worker (django-tasks).

``harvest_due`` is the schedule's tick: it queues ``harvest_source`` for the sources that are
due (``heco.harvest.schedule``) and queues itself again for the next 10-minute mark;
``heco worker`` makes sure one is pending when it starts."""

import logging

from django.utils import timezone
from django_tasks import task

logger = logging.getLogger(__name__)


@task()
def harvest_source(source_id: int) -> dict:
    """Harvest one source incrementally; returns the run report."""
    from heco.harvest.models import Source

    source = Source.objects.select_related("organisation__community").get(pk=source_id)
    return _harvest_then_images(source)


def _harvest_then_images(source) -> dict:
    """Harvest ``source``; unless the run failed, queue the download of the images its
    records name (a task of its own: downloads may take long, the run report does not wait).
    While another run of the source is under way, nothing is done: the report says
    ``skipped`` and why."""
    from heco.harvest.models import HarvestRun
    from heco.harvest.services import HarvestBusy, source_harvest

    try:
        run = source_harvest(source=source)
    except HarvestBusy as exc:
        logger.warning("harvest skipped: %s", exc)
        return {"source": source.pk, "status": "skipped", "reason": str(exc)}
    if run.status != HarvestRun.Status.FAILED:
        harvest_images.enqueue(source.pk)
    return run.report()


@task()
def harvest_due() -> dict:
    """Queue the harvests that are due, then the next tick (only one is ever pending, and it
    is queued even when this one fails)."""
    from heco.harvest.schedule import (
        harvest_tick_ensure,
        harvests_enqueue_due,
        next_tick,
        ticks_prune,
    )

    now = timezone.now()
    try:
        return harvests_enqueue_due(now=now).as_dict()
    finally:
        harvest_tick_ensure(run_after=next_tick(now))
        ticks_prune(now=now)


@task()
def harvest_all_sources() -> list[dict]:
    """Harvest every active source in turn, whatever their interval (``harvest_due`` keeps
    to each source's interval)."""
    from heco.harvest.models import Source

    return [
        _harvest_then_images(source)
        for source in Source.objects.filter(active=True).select_related("organisation__community")
    ]


@task()
def harvest_images(source_id: int, limit: int | None = None) -> dict:
    """Fetch the images the records of one source name and store them as media; returns the
    report (``heco harvest-images --json``). Run it after ``harvest_source``. One at a time
    per source: while another call fetches the source's images, the report says ``skipped``
    and why."""
    from heco.harvest.models import Source
    from heco.harvest.services import source_fetch_images

    source = Source.objects.select_related("organisation").get(pk=source_id)
    report = source_fetch_images(source=source, limit=limit)
    if report.get("status") == "skipped":
        logger.warning("image download skipped: %s", report["reason"])
    return report
