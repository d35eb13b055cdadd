"""``heco source add <kind> URL|FILE …`` and ``heco source list``."""

import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from heco.harvest.models import Source
from heco.harvest.services import source_add
from heco.network.models import Organisation

# ``--every``: how often the worker harvests the source
EVERY = {
    "hour": Source.Interval.HOURLY,
    "6-hours": Source.Interval.SIX_HOURLY,
    "day": Source.Interval.DAILY,
    "week": Source.Interval.WEEKLY,
}


class Command(BaseCommand):
    help = "Manage harvest sources: add one of each kind, list them."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="Add a harvest source; prints its id as the last word.")
        kinds = add.add_subparsers(dest="kind", required=True)
        for kind, help_text, location in (
            ("oai-pmh", "An OAI-PMH repository", "base URL"),
            ("csv", "A CSV or XLSX file (or URL) with a column mapping", "file or URL"),
            ("ical", "An iCalendar feed", "URL or file"),
            ("jsonld", "A web page with schema.org JSON-LD", "URL or file"),
        ):
            p = kinds.add_parser(kind, help=help_text)
            p.add_argument("url", help=location)
            p.add_argument("--organisation", required=True, help="data provider (slug)")
            p.add_argument("--aggregator", default="", help="intermediate aggregator's name")
            p.add_argument("--name", default="")
            p.add_argument(
                "--every", choices=EVERY, default="day", help="how often it is harvested"
            )
            if kind == "oai-pmh":
                p.add_argument("--metadata-prefix", default="oai_dc", choices=["oai_dc", "edm"])
                p.add_argument("--set", dest="set_spec", default="")
            if kind == "csv":
                p.add_argument("--mapping", required=True, help="column mapping JSON file")
            else:
                p.add_argument("--mapping", default=None, help="options JSON file")
        sub.add_parser("list", help="List sources with their last run and the next one.")

    def handle(self, *args, **options):
        if options["action"] == "list":
            every = {value: name for name, value in EVERY.items()}
            for source in Source.objects.select_related("organisation").with_last_started_at():
                run = source.runs.order_by("-started_at").first()
                status = f"{run.status} {run.started_at:%Y-%m-%d %H:%M}" if run else "never run"
                due = source.next_harvest_at()
                schedule = (
                    f"every {every[source.harvest_every]}, next {due:%Y-%m-%d %H:%M}"
                    if due
                    else "not scheduled"
                )
                self.stdout.write(f"{source.pk}\t{source.kind}\t{source.url}\t{status}\t{schedule}")
            return
        try:
            organisation = Organisation.objects.get(slug=options["organisation"])
        except Organisation.DoesNotExist:
            raise CommandError(f"no organisation with slug {options['organisation']!r}")
        mapping = {}
        if options.get("mapping"):
            try:
                # utf-8-sig: Windows Notepad saves UTF-8 with a byte order mark
                mapping = json.loads(Path(options["mapping"]).read_text(encoding="utf-8-sig"))
            except (OSError, ValueError) as exc:
                raise CommandError(f"cannot read the mapping: {exc}")
        url = options["url"]
        if not url.startswith(("http://", "https://")):
            path = Path(url)
            if not path.exists():
                raise CommandError(f"no such file: {url}")
            url = str(path.resolve())
        try:
            source = source_add(
                kind=options["kind"],
                url=url,
                organisation=organisation,
                metadata_prefix=options.get("metadata_prefix") or "",
                set_spec=options.get("set_spec") or "",
                mapping=mapping,
                aggregator=options["aggregator"],
                name=options["name"],
                harvest_every=EVERY[options["every"]],
            )
        except ValidationError as exc:
            problems = "; ".join(
                f"{name}: {' '.join(messages)}" for name, messages in exc.message_dict.items()
            )
            raise CommandError(f"the source was not added: {problems}")
        self.stdout.write(f"Added {source.get_kind_display()} source {source.pk}")
