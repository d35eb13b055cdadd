"""Background tasks (django-tasks, database backend; run by ``heco worker``)."""

import datetime as dt

from django.utils import timezone
from django_tasks import task

# a run that leaves failed deliveries (a refused recipient, a dropped connection) queues the
# next run after these delays; each run retries only the failed ones
RETRY_DELAYS = (dt.timedelta(minutes=15), dt.timedelta(hours=1), dt.timedelta(hours=4))


@task()
def send_edition(edition_id: str, run: int = 1) -> dict:
    """Send an edition in batches; safe to run again (nobody is mailed twice)."""
    from heco.newsletters.sending import edition_send

    counts = edition_send(edition_id=edition_id)
    if counts["failed"] and run <= len(RETRY_DELAYS):
        later = timezone.now() + RETRY_DELAYS[run - 1]
        send_edition.using(run_after=later).enqueue(str(edition_id), run + 1)
    return counts
