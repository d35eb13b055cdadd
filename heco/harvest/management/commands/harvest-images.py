"""``heco harvest-images SOURCE_ID [--limit N] [--json]``: store the images the records of a
source name as Media (``heco.harvest.images.fetch_images``).

Exit status 0 even when some images failed (they are listed, like bad records in a harvest);
an unknown source is an error; 3 when another call is fetching the source's images (not
started)."""

import json

from django.core.management.base import BaseCommand, CommandError

from heco.harvest.models import Source
from heco.harvest.services import source_fetch_images

ERRORS_SHOWN = 50


class Command(BaseCommand):
    help = "Fetch the images named by the records a source created and store them as media."

    def add_arguments(self, parser):
        parser.add_argument("source_id", type=int)
        parser.add_argument(
            "--limit", type=int, default=None, help="at most N downloads (the rest next time)"
        )
        parser.add_argument("--json", action="store_true", help="print the report as JSON")

    def handle(self, *args, **options):
        if options["limit"] is not None and options["limit"] < 0:
            raise CommandError("--limit must be 0 or more")
        try:
            source = Source.objects.select_related("organisation").get(pk=options["source_id"])
        except Source.DoesNotExist:
            raise CommandError(f"no source {options['source_id']}")
        report = source_fetch_images(source=source, limit=options["limit"])
        if report.get("status") == "skipped":
            raise CommandError(report["reason"], returncode=3)
        if options["json"]:
            self.stdout.write(json.dumps(report, ensure_ascii=False))
            return
        self.stdout.write(
            "source {source}: {assets} assets name an image; fetched {fetched}, stored {stored}, "
            "failed {failed}, unchanged {unchanged}, replaced {replaced}, removed {removed}, "
            "deleted locally {deleted_locally} in {duration}s".format(**report)
        )
        for error in report["errors"][:ERRORS_SHOWN]:
            self.stdout.write(
                f"  {error['asset']} ({error['identifier']}) {error['url']}: {error['reason']}"
            )
        if report["failed"] > ERRORS_SHOWN:
            self.stdout.write(f"  … and {report['failed'] - ERRORS_SHOWN} more")
