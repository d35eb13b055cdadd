"""``heco publish --out DIR``: the public site, every language, as static files."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from heco.publish.builder import Publisher
from heco.publish.progress import Progress


class Command(BaseCommand):
    help = (
        "Write the public site, every language, as static files (relative links, images, "
        "feeds, sitemap, pagefind search). Only the pages that depend on what changed since "
        "the last run are rendered again, and only changed files are rewritten."
    )

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, type=Path, help="Output directory.")
        parser.add_argument(
            "--base-url",
            default=None,
            help="Public address of the live site (canonical links, sitemap; links to what "
            "the static site lacks). Default: HECO_SITE_URL.",
        )
        parser.add_argument(
            "--no-search", action="store_true", help="Do not build the pagefind index."
        )
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")
        parser.add_argument(
            "--workers",
            type=int,
            default=1,
            help="Render in this many processes (e.g. the number of cores; default 1). Needs a "
            "database file or server, not an in-memory database.",
        )
        parser.add_argument(
            "--full",
            action="store_true",
            help="Render every page again (after a change the export cannot see: settings "
            "other than languages, time zone and URLs, files read by the site).",
        )

    def handle(self, *args, **options):
        progress = Progress(enabled=False) if options["no_progress"] else Progress()
        result = Publisher(
            options["out"],
            base_url=options["base_url"],
            pagefind=not options["no_search"],
            progress=progress,
            full=options["full"],
            workers=options["workers"],
        ).run()
        self.stdout.write(
            f"{result.pages} pages: {result.pages_written} written, "
            f"{result.pages_unchanged} unchanged ({result.pages_rendered} rendered, "
            f"{result.pages_reused} reused{', full run' if result.full else ''}); "
            f"files: {result.files_copied} copied, "
            f"{result.files_unchanged} unchanged; {result.removed} removed; "
            f"search index {'built' if result.search_indexed else 'unchanged'}; "
            f"{result.seconds:.1f} s"
        )
        if result.skipped:
            self.stdout.write(f"{len(result.skipped)} linked URLs were not published:")
            for url, status in sorted(result.skipped.items())[:20]:
                self.stdout.write(f"  {status} {url}")
        failed = [url for url, status in result.skipped.items() if status >= 500]
        if failed:
            raise CommandError(f"{len(failed)} pages failed to render, e.g. {failed[0]}")
