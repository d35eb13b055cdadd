"""iCalendar feeds (URL or file): VEVENTs become programme events. A snapshot: events that
disappear from the feed (or are CANCELLED) are tombstoned."""

from __future__ import annotations

from django.conf import settings

from heco.harvest.sources.base import Page, SourceKind, read_location, with_retries

from . import parse


class Kind(SourceKind):
    slug = "ical"
    snapshot = True

    def fetch(self, source, checkpoint, since):
        zone = (source.mapping or {}).get("timezone") or settings.TIME_ZONE
        records = with_retries(
            lambda: parse.parse_calendar(read_location(source.url), zone), what=source.url
        )
        for start in range(0, len(records), 500):
            yield Page(records[start : start + 500])
        yield Page([], last=True)
