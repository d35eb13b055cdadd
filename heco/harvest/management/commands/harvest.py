"""``heco harvest ID [--full] [--json]``: exit status 0 only when the run completed (1
partial, 2 failed, 3 not started: another run of the source is under way)."""

import json
import sys
import time

from django.core.management.base import BaseCommand, CommandError

from heco.harvest.models import HarvestRun, Source
from heco.harvest.services import HarvestBusy, source_harvest


class ProgressBar:
    """A one-line progress bar on stderr when it is a terminal."""

    def __init__(self, stream):
        self.stream = stream
        self.started = time.monotonic()

    def __call__(self, done: int, total: int | None) -> None:
        rate = done / max(time.monotonic() - self.started, 1e-6)
        if total:
            width = 30
            filled = int(width * min(done, total) / total)
            bar = "#" * filled + "-" * (width - filled)
            line = f"\r[{bar}] {done}/{total} records  {rate:,.0f}/s"
        else:
            line = f"\r{done} records  {rate:,.0f}/s"
        self.stream.write(line)
        self.stream.flush()

    def close(self):
        self.stream.write("\n")
        self.stream.flush()


class Command(BaseCommand):
    help = "Harvest a source (incremental from the last successful run unless --full)."

    def add_arguments(self, parser):
        parser.add_argument("source_id", type=int)
        parser.add_argument("--full", action="store_true", help="ignore the last run's date")
        parser.add_argument("--json", action="store_true", help="print the report as JSON")

    def handle(self, *args, **options):
        try:
            source = Source.objects.select_related("organisation__community").get(
                pk=options["source_id"]
            )
        except Source.DoesNotExist:
            raise CommandError(f"no source {options['source_id']}")
        bar = ProgressBar(sys.stderr) if sys.stderr.isatty() else None
        try:
            run = source_harvest(source=source, full=options["full"], progress=bar)
        except HarvestBusy as exc:
            raise CommandError(str(exc), returncode=3) from None
        finally:
            if bar:
                bar.close()
        report = run.report()
        if options["json"]:
            self.stdout.write(json.dumps(report, ensure_ascii=False))
        else:
            self.stdout.write(
                "{status}: fetched {fetched}, created {created}, updated {updated}, "
                "deleted {deleted}, failed {failed}, local edits kept {conflicts} "
                "in {duration}s".format(**report)
            )
            for error in report["errors"][:50]:
                self.stdout.write(f"  {error['identifier'] or '-'}: {error['reason']}")
            if len(report["errors"]) > 50:
                self.stdout.write(f"  … and {len(report['errors']) - 50} more")
        if run.status != HarvestRun.Status.COMPLETED:
            sys.exit(1 if run.status == HarvestRun.Status.PARTIAL else 2)
