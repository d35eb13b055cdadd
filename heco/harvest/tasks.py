"""Tasks for the scheduled worker (django-tasks)."""

import logging

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
def harvest_all_sources() -> list[dict]:
    """Harvest every active source in turn (for a nightly schedule)."""
    from heco.harvest.models import Source

    return [
        _harvest_then_images(source)
        for source in Source.objects.filter(active=True).select_related("organisation__community")
    ]


@task()
def harvest_images(source_id: int, limit: int | None = None) -> dict:
    """Fetch the images the records of one source name and store them as media; returns the
    report (``heco harvest-images --json``). Run it after ``harvest_source``."""
    from heco.harvest.images import fetch_images
    from heco.harvest.models import Source

    source = Source.objects.select_related("organisation").get(pk=source_id)
    return fetch_images(source, limit=limit).as_dict()
