"""`heco worker`: run the background task worker (django-tasks database backend).

A worker that takes the default queue first makes sure the harvest schedule's tick is pending
(``heco.harvest.schedule``): from then on the tick queues itself every 10 minutes."""

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django_tasks import DEFAULT_TASK_QUEUE_NAME


class Command(BaseCommand):
    help = "Run the background worker: harvests, scheduled posts, newsletters, PDFs."

    def add_arguments(self, parser):
        parser.add_argument("--batch", action="store_true", help="Run what is due, then exit.")
        parser.add_argument("--queue-name", default="*")

    def handle(self, *args, batch=False, queue_name="*", **options):
        if queue_name == "*" or DEFAULT_TASK_QUEUE_NAME in queue_name.split(","):
            from heco.harvest.schedule import harvest_tick_ensure

            harvest_tick_ensure()
        extra = ["--batch"] if batch else []
        call_command("db_worker", "--queue-name", queue_name, "--no-startup-delay", *extra)
