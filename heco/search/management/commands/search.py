"""``heco search rebuild`` | ``heco search index <asset-id>…`` | ``heco search query "text"``."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext_lazy as _


class Command(BaseCommand):
    help = _("Maintain and try out the search index.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("rebuild", help=_("Rebuild the whole index from the published assets."))
        index = sub.add_parser("index", help=_("(Re)index the given assets."))
        index.add_argument("asset_ids", nargs="+")
        query = sub.add_parser("query", help=_("Run a search and print the results."))
        query.add_argument("q", nargs="?", default="")
        for name in ("country", "community", "organisation", "kind", "theme", "accessibility"):
            query.add_argument(f"--{name}", action="append", default=[])
        query.add_argument("--period", nargs=2, type=int, metavar=("FROM", "TO"))
        query.add_argument(
            "--bbox", nargs=4, type=float, metavar=("MIN_LON", "MIN_LAT", "MAX_LON", "MAX_LAT")
        )
        query.add_argument("--near", nargs=3, type=float, metavar=("LAT", "LON", "KM"))
        query.add_argument("--open-now", action="store_true")
        query.add_argument("--no-prefix", action="store_true")
        query.add_argument("--limit", type=int, default=10)
        query.add_argument("--offset", type=int, default=0)
        query.add_argument("--lang", default="en")

    def handle(self, *args, **options):
        action = options["action"]
        if action == "rebuild":
            return self.rebuild()
        if action == "index":
            from heco.search.index import index_assets

            try:
                index_assets(options["asset_ids"])
            except ValueError as exc:
                raise CommandError(str(exc))
            self.stdout.write(_("Indexed %(n)d asset(s).") % {"n": len(options["asset_ids"])})
            return None
        return self.query(options)

    def rebuild(self):
        from heco.search.index import rebuild

        verbosity = self.verbosity if hasattr(self, "verbosity") else 1

        def progress(done, total):
            if verbosity > 1:
                self.stdout.write(f"{done}/{total}")

        started = time.monotonic()
        count = rebuild(progress=progress)
        self.stdout.write(
            _("Indexed %(count)d published assets in %(seconds).1f s.")
            % {"count": count, "seconds": time.monotonic() - started}
        )

    def query(self, options):
        from heco.core.langmap import pick
        from heco.heritage.models import Asset
        from heco.search import SearchQuery, search

        query = SearchQuery(
            q=options["q"],
            country=tuple(options["country"]),
            community=tuple(options["community"]),
            organisation=tuple(options["organisation"]),
            kind=tuple(options["kind"]),
            theme=tuple(options["theme"]),
            accessibility=tuple(options["accessibility"]),
            period=tuple(options["period"]) if options["period"] else None,
            bbox=tuple(options["bbox"]) if options["bbox"] else None,
            near=tuple(options["near"]) if options["near"] else None,
            open_now=options["open_now"],
            prefix=not options["no_prefix"],
            limit=options["limit"],
            offset=options["offset"],
            lang=options["lang"],
        )
        started = time.monotonic()
        result = search(query)
        elapsed = (time.monotonic() - started) * 1000
        approx = "" if result.total_exact else "~"
        self.stdout.write(f"{approx}{result.total} results in {elapsed:.1f} ms")
        titles = {
            a.id: (a.slug, pick(a.title, options["lang"]).text)
            for a in Asset.objects.filter(id__in=result.ids)
        }
        for position, asset_id in enumerate(result.ids, start=query.offset + 1):
            slug, title = titles.get(asset_id, ("?", ""))
            self.stdout.write(f"{position:>4}. {title}  [{slug}]")
        exact = "" if result.facets_exact else " (estimated)"
        for name, values in result.facets.items():
            if values:
                shown = ", ".join(f"{v.value}={v.count}" for v in values[:12])
                self.stdout.write(f"{name}{exact}: {shown}")
