"""All-day events: how whole days are stored and read back.

An all-day event (``Event.all_day``) keeps ``start`` and ``end`` as moments, like every other
event, so ordering, indexes, list queries and ``last_occurrence`` need nothing special:

* ``start`` is midnight (00:00) of the first day, in the event's ``timezone``;
* ``end`` is midnight at the beginning of the day *after* the last day, in the same zone:
  exclusive, exactly as iCalendar's ``DTEND;VALUE=DATE`` (a one-day event on 1 May ends at
  2 May 00:00). An all-day event always has an end (the database checks it).

What people read and write is inclusive: the staff form, the public pages and schema.org
``endDate`` name the last day. ``last_day()`` and ``bounds()`` convert between the two.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

ONE_DAY = dt.timedelta(days=1)


def midnight(day: dt.date, tz: ZoneInfo) -> dt.datetime:
    """00:00 of ``day`` in ``tz`` (aware); through UTC, so a zone whose clocks skip midnight
    gets the first moment of that day."""
    return dt.datetime.combine(day, dt.time.min, tz).astimezone(dt.UTC).astimezone(tz)


def local_day(moment: dt.datetime, tz: ZoneInfo) -> dt.date:
    return moment.astimezone(tz).date()


def bounds(
    start: dt.datetime, end: dt.datetime | None, tz: ZoneInfo
) -> tuple[dt.datetime, dt.datetime]:
    """The stored (start, end) of an all-day event given any moments: ``start`` becomes
    midnight of its local day; ``end`` the next midnight at or after it (a moment at local
    midnight is already exclusive; a time during a day keeps that day), and at least one day
    after the start (no end, or an end not after the start: a one-day event)."""
    first = local_day(start, tz)
    if end is None:
        after = first + ONE_DAY
    else:
        after = local_day(end, tz)
        if end != midnight(after, tz):  # a time during that day: the day is kept
            after += ONE_DAY
        after = max(after, first + ONE_DAY)
    return midnight(first, tz), midnight(after, tz)


def days(start: dt.datetime, end: dt.datetime | None, tz: ZoneInfo | None = None):
    """(first day, last day) of an all-day span, the last day inclusive. The moments are read
    in ``tz``, or in their own zone when it is None (occurrences are already in the event's
    zone)."""
    first = local_day(start, tz) if tz else start.date()
    if end is None:
        return first, first
    last = (local_day(end, tz) if tz else end.date()) - ONE_DAY
    return first, max(first, last)


def day_count(event, tz: ZoneInfo) -> int:
    """How many days an all-day event lasts (at least one)."""
    first, last = days(event.start, event.end, tz)
    return (last - first).days + 1


def schema_dates(start: dt.datetime, end: dt.datetime | None) -> tuple[str, str]:
    """schema.org ``startDate`` / ``endDate`` of an all-day occurrence (moments in the event's
    zone): dates without times, the end naming the last day (a one-day event: the same day)."""
    first, last = days(start, end)
    return first.isoformat(), last.isoformat()
