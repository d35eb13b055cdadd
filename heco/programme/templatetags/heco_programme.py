"""Template filters for events' dates: all-day occurrences as days, not times.

An occurrence here is anything with ``event``, ``start`` and ``end`` whose moments are already
in the event's time zone (``heco.programme.recurrence.Occurrence`` and the site's own).
"""

from __future__ import annotations

import datetime as dt

from babel.dates import format_date, format_interval, format_skeleton
from django import template
from django.conf import settings
from django.utils.translation import get_language

from heco.programme import dates

register = template.Library()

# date styles as heco_site's ``fdate`` names them, as CLDR skeletons for ranges of days
RANGE_SKELETONS = {"full": "yMMMMEEEEd", "long": "yMMMMd", "medium": "yMMMd", "short": "MMMd"}


def _locale() -> str:
    return (get_language() or settings.LANGUAGE_CODE).split("-")[0]


def _days(occ) -> tuple[dt.date, dt.date] | None:
    if occ is None or getattr(occ, "start", None) is None:
        return None
    return dates.days(occ.start, getattr(occ, "end", None))


@register.filter
def first_day(occ):
    """The first day of an occurrence (a date: ``|iso`` gives "2027-05-01")."""
    found = _days(occ)
    return found[0] if found else None


@register.filter
def last_day(occ):
    """The last day of an all-day occurrence, inclusive (its end is the midnight after it)."""
    found = _days(occ)
    return found[1] if found else None


@register.filter
def multi_day(occ) -> bool:
    found = _days(occ)
    return bool(found) and found[0] != found[1]


@register.filter
def day_range(occ, style: str = "full") -> str:
    """The days of an all-day occurrence in the visitor's language: one date, or a range
    as CLDR writes it ("Sat, May 1 – Mon, May 3, 2027", "2027 gegužės 1, št – gegužės 3, pr",
    "za 1 – ma 3 mei 2027")."""
    found = _days(occ)
    if not found:
        return ""
    first, last = found
    locale = _locale()
    if first == last:
        if style == "short":
            return format_skeleton(RANGE_SKELETONS["short"], first, locale=locale)
        return format_date(first, format=style, locale=locale)
    return format_interval(first, last, RANGE_SKELETONS.get(style, "yMMMd"), locale=locale)
