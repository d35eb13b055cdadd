"""schema.org JSON-LD pages: the source URL plus any in ``mapping["urls"]``, one page each.
A snapshot: items that disappear from the pages were deleted."""

from __future__ import annotations

from django.conf import settings

from heco.harvest.sources.base import Page, SourceKind, read_location, with_retries

from . import parse


class Kind(SourceKind):
    slug = "jsonld"
    snapshot = True

    def fetch(self, source, checkpoint, since):
        mapping = source.mapping or {}
        urls = [source.url, *(mapping.get("urls") or [])]
        zone = mapping.get("timezone") or settings.TIME_ZONE  # of times without an offset
        for number, url in enumerate(urls, start=1):
            records = with_retries(
                lambda u=url: parse.parse_page(read_location(u), u, zone), what=url
            )
            yield Page(records, last=number == len(urls))
