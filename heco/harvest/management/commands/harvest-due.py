"""``heco harvest-due [--json]``: queue a harvest of every active source that is due (what the
worker's tick does every 10 minutes), for installations that check from cron; the worker
(``heco worker``, or ``heco worker --batch`` after this command) runs them."""

import json

from django.core.management.base import BaseCommand

from heco.harvest.schedule import harvests_enqueue_due


class Command(BaseCommand):
    help = "Queue a harvest of every active source whose interval has passed."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="print the report as JSON")

    def handle(self, *args, **options):
        report = harvests_enqueue_due()
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict()))
            return
        ids = f" (sources {', '.join(map(str, report.queued))})" if report.queued else ""
        self.stdout.write(
            f"queued {len(report.queued)} harvest(s){ids}; "
            f"already queued: {len(report.already_queued)}; under way: {len(report.running)}; "
            "the worker (heco worker) runs them"
        )
