"""Language-aware text for print: language-map texts and dates in the print's language(s)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from babel import Locale
from babel.dates import format_date, format_skeleton, format_time, match_skeleton
from django.utils import timezone
from django.utils.translation import gettext

from heco.core.langmap import pick


@dataclass(frozen=True)
class Text:
    """One text of a record in one language (``lang`` is the language it is actually in)."""

    text: str
    lang: str
    secondary: bool = False

    def __str__(self) -> str:
        return self.text


def texts(value: dict | None, langs: list[str], default: str | None = None) -> list[Text]:
    """A language map's text in each of ``langs``; the second is left out when it would only
    repeat the first (same text through fallback)."""
    out: list[Text] = []
    for index, lang in enumerate(langs):
        chosen = pick(value, lang, default)
        if not chosen.text:
            continue
        if out and chosen.text == out[0].text:
            continue
        out.append(Text(chosen.text, chosen.lang, secondary=index > 0))
    return out


def first_text(value: dict | None, lang: str, default: str | None = None) -> Text:
    chosen = pick(value, lang, default)
    return Text(chosen.text, chosen.lang)


def local(moment: dt.datetime, zone=None) -> dt.datetime:
    return timezone.localtime(moment, zone) if timezone.is_aware(moment) else moment


def long_date(value: dt.date, lang: str) -> str:
    """Saturday, 14 June 2025 — the way ``lang`` writes it."""
    return format_date(value, "full", locale=lang)


def day_heading(value: dt.date, lang: str) -> str:
    """Weekday, day and month without the year, weekday written out (a month's programme)."""
    locale = Locale.parse(lang)
    key = match_skeleton("MMMMEd", locale.datetime_skeletons) or "MMMMEd"
    pattern = str(locale.datetime_skeletons.get(key, "")) or "EEEE, d MMMM"
    pattern = re.sub(r"E+", "EEEE", re.sub(r"M{3,4}", "MMMM", pattern))
    return format_date(value, pattern, locale=locale)


def month_title(year: int, month: int, lang: str) -> str:
    return format_skeleton("yMMMM", dt.date(year, month, 1), locale=lang)


def short_date(value: dt.date, lang: str) -> str:
    return format_skeleton("MMMMd", value, locale=lang)


def time_of(moment: dt.datetime, lang: str) -> str:
    # 24-hour clock everywhere: the network's countries all use it on printed programmes
    return format_time(moment, "HH:mm", locale=lang)


def time_range(
    start: dt.datetime, end: dt.datetime | None, lang: str, *, all_day: bool = False
) -> str:
    if all_day:  # whole days (heco.programme.dates): no time to print
        return gettext("All day")
    if end and end.date() == start.date() and end != start:
        return f"{time_of(start, lang)}–{time_of(end, lang)}"
    return time_of(start, lang)


def weekday_name(index: int, lang: str) -> str:
    from babel import Locale

    return Locale.parse(lang).days["format"]["wide"][index]


def css_string(value: str) -> str:
    """``value`` as a quoted CSS string, safe inside a <style> element."""
    out = []
    for char in str(value):
        if char in '"\\<>&' or ord(char) < 0x20:
            out.append(f"\\{ord(char):x} ")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'
