"""Tasks for the scheduled worker (django-tasks)."""

from django_tasks import task


@task()
def harvest_source(source_id: int) -> dict:
    """Harvest one source incrementally; returns the run report."""
    from heco.harvest.models import Source
    from heco.harvest.services import source_harvest

    source = Source.objects.select_related("organisation__community").get(pk=source_id)
    return source_harvest(source=source).report()


@task()
def harvest_all_sources() -> list[dict]:
    """Harvest every active source in turn (for a nightly schedule)."""
    from heco.harvest.models import Source
    from heco.harvest.services import source_harvest

    return [
        source_harvest(source=source).report()
        for source in Source.objects.filter(active=True).select_related("organisation__community")
    ]
