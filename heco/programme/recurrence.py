"""Event recurrence: RFC 5545 RRULEs expanded in the event's own time zone.

Expansion runs on local wall-clock time (a weekly Saturday 10:00 stays at 10:00 across the
daylight-saving change) and the result is attached to the event's zone. ``UNTIL`` given in
UTC (``…Z``) is converted to local wall-clock time first, so rules from any source work.

An all-day event (``all_day``, see ``heco.programme.dates``) starts at local midnight; its
occurrences do too, and each lasts its number of whole days (ending at a local midnight, even
when a daylight-saving change makes one of those days 23 or 25 hours long).
"""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.rrule import rrule, rrulestr
from django.db.models import Q

from heco.programme import dates

# Rules that would expand into more than this many occurrences are refused at save time;
# leave a rule open-ended instead (last_occurrence stays None).
MAX_OCCURRENCES = 5000
ALLOWED_FREQS = {"YEARLY", "MONTHLY", "WEEKLY", "DAILY"}
UNTIL_RE = re.compile(r"UNTIL=(\d{8})(T(\d{6})(Z?))?", re.IGNORECASE)


@dataclass(frozen=True)
class Occurrence:
    event: object  # heco.programme.models.Event
    start: dt.datetime  # aware, in the event's zone
    end: dt.datetime | None  # aware, in the event's zone

    @property
    def sort_key(self):
        return (self.start, str(self.event.pk))


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise ValueError(f"Unknown time zone: {name!r}")


def normalise_rule(text: str) -> str:
    """Strip an ``RRULE:`` prefix and surrounding space; upper-case the keys."""
    text = (text or "").strip()
    if text.upper().startswith("RRULE:"):
        text = text[6:]
    return text.strip().upper()


def _until_to_local(text: str, tz: ZoneInfo) -> str:
    """Rewrite a UTC ``UNTIL=…Z`` as local wall-clock time (naive expansion needs that)."""

    def repl(match):
        date, _t, time, utc = match.groups()
        if not time:
            return f"UNTIL={date}T235959"
        if not utc:
            return f"UNTIL={date}T{time}"
        moment = dt.datetime.strptime(date + time, "%Y%m%d%H%M%S").replace(tzinfo=dt.UTC)
        return "UNTIL=" + moment.astimezone(tz).strftime("%Y%m%dT%H%M%S")

    return UNTIL_RE.sub(repl, text)


def build_rule(rule_text: str, local_start: dt.datetime, tz: ZoneInfo) -> rrule:
    """Parse ``rule_text`` for an event starting at naive local ``local_start``.

    Raises ValueError with a readable message for rules we do not accept.
    """
    text = normalise_rule(rule_text)
    if not text:
        raise ValueError("empty rule")
    if "DTSTART" in text or "\n" in text or "RDATE" in text or "EXDATE" in text:
        raise ValueError("only a single RRULE is accepted (no DTSTART, RDATE or EXDATE)")
    parts = dict(part.split("=", 1) for part in text.split(";") if "=" in part)
    if parts.get("FREQ") not in ALLOWED_FREQS:
        raise ValueError("FREQ must be YEARLY, MONTHLY, WEEKLY or DAILY")
    if "COUNT" in parts and "UNTIL" in parts:
        raise ValueError("COUNT and UNTIL cannot be used together")
    rule = rrulestr(_until_to_local(text, tz), dtstart=local_start)
    if not isinstance(rule, rrule):
        raise ValueError("not a single RRULE")
    return rule


def _local_naive(moment: dt.datetime, tz: ZoneInfo) -> dt.datetime:
    return moment.astimezone(tz).replace(tzinfo=None)


def _aware(local: dt.datetime, tz: ZoneInfo) -> dt.datetime:
    return local.replace(tzinfo=tz)


def _duration(event, tz: ZoneInfo | None = None) -> dt.timedelta | None:
    """How long each occurrence lasts; for an all-day event, whole days, which added to a
    local midnight (wall-clock arithmetic on an aware datetime) give the next midnight."""
    if event.end is None:
        return None
    if getattr(event, "all_day", False) and tz is not None:
        return dt.timedelta(days=dates.day_count(event, tz))
    return event.end - event.start


def last_occurrence(event) -> dt.datetime | None:
    """When the event takes place for the last time: the end of its final occurrence (its
    start when it has no end). None when the rule is unbounded. Raises ValueError."""
    tz = zone(event.timezone)
    duration = _duration(event, tz) or dt.timedelta(0)
    if not event.rrule:
        return event.end or event.start
    local_start = _local_naive(event.start, tz)
    rule = build_rule(event.rrule, local_start, tz)
    if rule._count is None and rule._until is None:
        return None
    starts = list(itertools.islice(iter(rule), MAX_OCCURRENCES + 1))
    if len(starts) > MAX_OCCURRENCES:
        raise ValueError(f"the rule gives more than {MAX_OCCURRENCES} occurrences")
    if not starts:  # e.g. UNTIL before the start: the event happens once, at its start
        return event.end or event.start
    final = _aware(starts[-1], tz)
    return (final + duration).astimezone(dt.UTC)


def local_key(moment: dt.datetime, tz: ZoneInfo) -> str:
    """How an occurrence start is written in ``Event.exdates``: local wall-clock time."""
    return _local_naive(moment, tz).isoformat(timespec="seconds")


def excluded(event) -> set[dt.datetime]:
    """The local starts listed in ``event.exdates`` (unreadable entries are ignored)."""
    out = set()
    for text in getattr(event, "exdates", None) or ():
        try:
            out.add(dt.datetime.fromisoformat(str(text)).replace(tzinfo=None))
        except ValueError:
            continue
    return out


def occurrences(event, start: dt.datetime, end: dt.datetime) -> list[Occurrence]:
    """Occurrences of ``event`` that overlap [start, end) (an occurrence without an end
    overlaps when it starts inside the window), as aware datetimes in the event's zone."""
    try:
        tz = zone(event.timezone)
    except ValueError:
        tz = ZoneInfo("UTC")
    duration = _duration(event, tz)
    span = duration or dt.timedelta(0)

    def overlaps(occ_start: dt.datetime) -> bool:
        if duration:
            return occ_start < end and occ_start + duration > start
        return start <= occ_start < end

    if not event.rrule:
        first = event.start.astimezone(tz)
        return (
            [Occurrence(event, first, first + duration if duration else None)]
            if overlaps(first)
            else []
        )
    local_start = _local_naive(event.start, tz)
    try:
        rule = build_rule(event.rrule, local_start, tz)
    except ValueError:
        first = event.start.astimezone(tz)
        return (
            [Occurrence(event, first, first + span if duration else None)]
            if overlaps(first)
            else []
        )
    # pad the local window by a day on both sides: the zone offset is not known in advance
    lo = _local_naive(start - span, tz) - dt.timedelta(days=1)
    hi = _local_naive(end, tz) + dt.timedelta(days=1)
    skipped = excluded(event)
    out = []
    for local in rule.between(lo, hi, inc=True):
        if local in skipped:
            continue
        occ_start = _aware(local, tz)
        if overlaps(occ_start):
            occ_end = occ_start + duration if duration else None
            # normalise through UTC so a nonexistent local time gets the right offset
            occ_start = occ_start.astimezone(dt.UTC).astimezone(tz)
            out.append(
                Occurrence(
                    event, occ_start, occ_end.astimezone(dt.UTC).astimezone(tz) if occ_end else None
                )
            )
    return out


def upcoming_occurrences(queryset, start: dt.datetime, end: dt.datetime, limit: int | None = 50):
    """The first ``limit`` occurrences, by start, of the events in ``queryset`` that overlap
    [start, end). One database query; recurrence is expanded in Python. Events whose final
    occurrence is over before ``start`` are skipped in SQL."""
    events = (
        queryset.filter(start__lt=end)
        .filter(Q(last_occurrence__isnull=True) | Q(last_occurrence__gte=start))
        .select_related("organisation", "asset", "venue")
    )
    streams = (occurrences(event, start, end) for event in events)
    merged = heapq.merge(*streams, key=lambda occ: occ.sort_key)
    if limit is None:
        return list(merged)
    return list(itertools.islice(merged, limit))
