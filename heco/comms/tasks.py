"""Background tasks (django-tasks, database backend; run by ``heco worker``).

``item_schedule`` enqueues ``publish_due_items`` to run at the item's time; a failed attempt
enqueues ``send_delivery`` for its ``next_attempt_at``. ``heco comms publish-due`` runs the same
code from cron, picking up anything a lost task left behind.
"""

from django_tasks import task


@task()
def publish_due_items() -> dict:
    from heco.comms.services import item_publish_due

    return item_publish_due()


@task()
def send_delivery(delivery_id: int) -> str:
    from heco.comms.services import delivery_send

    return delivery_send(delivery_id=delivery_id).status
