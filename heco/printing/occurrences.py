"""Event occurrences in a time window for print: a thin layer over heco.programme.recurrence
(RFC 5545 rules expanded in each event's own time zone)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from heco.core.models import Status
from heco.programme import recurrence
from heco.programme.models import Event


def event_zone(event: Event) -> ZoneInfo:
    return recurrence.zone(event.timezone or "UTC")


def occurrences_of(event: Event, start: dt.datetime, end: dt.datetime) -> list:
    """Occurrences (``.event``, ``.start``, ``.end``) of ``event`` overlapping [start, end)."""
    return recurrence.occurrences(event, start, end)


def candidate_events(start: dt.datetime, end: dt.datetime):
    """Published events; ``upcoming`` narrows them to [start, end) in one query."""
    return Event.objects.filter(status=Status.PUBLISHED)


def upcoming(events, start: dt.datetime, end: dt.datetime, limit: int | None = None) -> list:
    """All occurrences of the events of queryset ``events`` in [start, end), by start."""
    return recurrence.upcoming_occurrences(events, start, end, limit=limit)
