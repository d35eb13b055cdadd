"""Background tasks (django-tasks, database backend; run by ``heco worker``)."""

from django_tasks import task


@task()
def send_edition(edition_id: str) -> dict:
    """Send an edition in batches; safe to run again (nobody is mailed twice)."""
    from heco.newsletters.sending import edition_send

    return edition_send(edition_id=edition_id)
