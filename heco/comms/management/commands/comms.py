"""``heco comms publish-due``: send what is due now (for cron; the worker does the same)."""

import json

from django.core.management.base import BaseCommand

from heco.comms.services import item_publish_due


class Command(BaseCommand):
    help = "Communication: `publish-due` sends every scheduled post whose time has come."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        due = sub.add_parser("publish-due", help="Send the deliveries that are due now.")
        due.add_argument("--json", action="store_true", help="Print the counts as JSON.")

    def handle(self, *args, action=None, **options):
        if action == "publish-due":
            report = item_publish_due()
            if options.get("json"):
                self.stdout.write(json.dumps(report))
            else:
                parts = ", ".join(f"{status} {n}" for status, n in sorted(report.items()))
                self.stdout.write(f"Deliveries: {parts or 'nothing due'}")
