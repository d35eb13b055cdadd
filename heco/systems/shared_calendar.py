"""The shared network calendar: a month of occurrences of published events, filtered by
community, organisation, audience and accessibility.

Bounded: one query for at most ``EVENT_SCAN_LIMIT`` events that may fall in the month; the
audience and accessibility filters (JSON lists, which SQLite cannot search portably) and the
recurrence expansion (``heco.programme.recurrence``) run in Python on those rows.
"""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q

from heco.core.models import Status
from heco.programme import recurrence
from heco.programme.models import Event

EVENT_SCAN_LIMIT = 2000
OCCURRENCE_LIMIT = 1000


@dataclass(frozen=True)
class Filters:
    year: int
    month: int
    community: object = None
    organisation: object = None
    audience: str = ""
    accessibility: str = ""


def month_window(year: int, month: int, zone: ZoneInfo | None = None):
    zone = zone or ZoneInfo(settings.TIME_ZONE)
    start = dt.datetime(year, month, 1, tzinfo=zone)
    index = year * 12 + month  # the next month
    end = dt.datetime(index // 12, index % 12 + 1, 1, tzinfo=zone)
    return start, end


def events_queryset(filters: Filters, start: dt.datetime, end: dt.datetime):
    qs = (
        Event.objects.filter(status=Status.PUBLISHED, start__lt=end)
        .filter(
            # a day of slack either side: occurrences are compared in their own zones
            Q(last_occurrence__isnull=True) | Q(last_occurrence__gte=start - dt.timedelta(days=1))
        )
        .select_related(
            "organisation", "organisation__community", "asset", "asset__community", "venue"
        )
    )
    if filters.community is not None:
        qs = qs.filter(
            Q(asset__community=filters.community)
            | Q(asset__isnull=True, venue__community=filters.community)
            | Q(asset__isnull=True, venue__isnull=True, organisation__community=filters.community)
        )
    if filters.organisation is not None:
        qs = qs.filter(Q(organisation=filters.organisation) | Q(venue=filters.organisation))
    return qs.order_by("start", "id")


def _matches(event, filters: Filters) -> bool:
    if filters.audience and filters.audience not in (event.audience or []):
        return False
    if filters.accessibility and filters.accessibility not in (event.accessibility or []):
        return False
    return True


def month_occurrences(filters: Filters) -> tuple[list, bool]:
    """(occurrences in the month by start, truncated?)."""
    start, end = month_window(filters.year, filters.month)
    events = list(events_queryset(filters, start, end)[: EVENT_SCAN_LIMIT + 1])
    truncated = len(events) > EVENT_SCAN_LIMIT
    events = [e for e in events[:EVENT_SCAN_LIMIT] if _matches(e, filters)]
    streams = (recurrence.occurrences(event, start, end) for event in events)
    merged = heapq.merge(*streams, key=lambda occ: occ.sort_key)
    found = list(itertools.islice(merged, OCCURRENCE_LIMIT + 1))
    truncated = truncated or len(found) > OCCURRENCE_LIMIT
    return found[:OCCURRENCE_LIMIT], truncated


def by_day(occurrences) -> list[tuple[dt.date, list]]:
    days: dict[dt.date, list] = {}
    for occ in occurrences:
        days.setdefault(occ.start.date(), []).append(occ)
    return sorted(days.items())
