"""`heco worker`: run the background task worker (django-tasks database backend)."""

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the background worker: harvests, scheduled posts, newsletters, PDFs."

    def add_arguments(self, parser):
        parser.add_argument("--batch", action="store_true", help="Run what is due, then exit.")
        parser.add_argument("--queue-name", default="*")

    def handle(self, *args, batch=False, queue_name="*", **options):
        extra = ["--batch"] if batch else []
        call_command("db_worker", "--queue-name", queue_name, "--no-startup-delay", *extra)
