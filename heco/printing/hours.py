"""A service's opening hours as printed lines: one week, days with equal hours grouped."""

from __future__ import annotations

import datetime as dt

from babel import Locale
from django.utils import timezone

from heco.printing.formatting import time_of
from heco.programme.hours import opening_intervals, parse, zone_for_country


def _clock(moment: dt.datetime, day_end: dt.datetime, lang: str) -> str:
    if moment >= day_end:
        return "24:00"
    return time_of(moment, lang)


def week_lines(expression: str, country: str | None, lang: str, closed_label: str, now=None):
    """[(days, hours)] for the week containing ``now``, e.g. ("Mon–Fri", "10:00–18:00").

    None when the expression cannot be read (print it as it is then).
    """
    if parse(expression) is None:
        return None
    zone = zone_for_country(country)
    today = timezone.localtime(now or timezone.now(), zone).date()
    monday = today - dt.timedelta(days=today.weekday())
    names = Locale.parse(lang).days["format"]["abbreviated"]
    per_day = []
    for offset in range(7):
        day = monday + dt.timedelta(days=offset)
        start = dt.datetime.combine(day, dt.time.min, tzinfo=zone)
        end = start + dt.timedelta(days=1)
        spans = opening_intervals(expression, country, start, end)
        text = ", ".join(
            f"{_clock(begin, end, lang)}–{_clock(finish, end, lang)}" for begin, finish in spans
        )
        per_day.append(text or closed_label)
    lines, first = [], 0
    for index in range(1, 8):
        if index == 7 or per_day[index] != per_day[first]:
            label = names[first] if index - 1 == first else f"{names[first]}–{names[index - 1]}"
            lines.append((label, per_day[first]))
            first = index
    return lines
