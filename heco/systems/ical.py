"""iCalendar (RFC 5545) feeds of published events, built with the icalendar package.

* one VEVENT per event (not per occurrence): DTSTART/DTEND with the event's TZID and its
  RRULE passed through, so calendar apps expand the series themselves;
* an all-day event as dates (``DTSTART;VALUE=DATE``, DTEND the day after the last one, EXDATE
  and a rule's UNTIL as dates too), floating: the same days in every calendar app's zone;
* a VTIMEZONE for every TZID used (``Calendar.add_missing_timezones()``);
* UID ``<event uuid>@<host of HECO_SITE_URL>``: stable across requests, renames and hosts;
* DTSTAMP and LAST-MODIFIED from the event's last change (a feed that has not changed is
  byte-identical, which keeps caches and ETags useful);
* URL of the public event page, LOCATION (place name and address) and GEO.

Bounded: at most ``FEED_LIMIT`` events, those not over before ``PAST_DAYS`` ago.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override
from icalendar import Calendar, vRecur
from icalendar import Event as VEvent

from heco.core.geo import valid_point
from heco.core.langmap import pick
from heco.core.text import xml_text
from heco.programme import dates, recurrence

FEED_LIMIT = 1000
PAST_DAYS = 30
TIMEZONE_YEARS_AHEAD = 6


def _text(value: str) -> str:
    """RFC 5545 TEXT allows no control characters but tab and (escaped) line breaks, the
    characters XML forbids and DEL; pasted text sometimes carries them (a vertical tab from a
    word processor) and strict apps reject them."""
    return xml_text(value).replace("\x7f", "")


def uid_host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "heco.invalid"


def feed_events(queryset, now: dt.datetime | None = None):
    """The events a feed shows: published, not over before PAST_DAYS ago, first FEED_LIMIT
    by start. One query."""
    now = now or timezone.now()
    since = now - dt.timedelta(days=PAST_DAYS)
    return list(
        queryset.filter(status="published")
        .filter(
            Q(last_occurrence__isnull=True, rrule__gt="")
            | Q(last_occurrence__gte=since)
            | Q(last_occurrence__isnull=True, start__gte=since)
        )
        .select_related("organisation", "organisation__community", "asset", "venue")
        .order_by("start", "id")[:FEED_LIMIT]
    )


def _zone(event) -> ZoneInfo:
    try:
        return recurrence.zone(event.timezone)
    except ValueError:
        return ZoneInfo("UTC")


def _place(event, lang, default):
    """(name, address, (lat, lon) or None) of where the event takes place; an unpublished
    asset is not named (the venue or organiser is given instead)."""
    asset = event.asset if event.asset is not None and event.asset.status == "published" else None
    for place, field in (
        (asset, "title"),
        (event.venue, "name"),
        (event.organisation, "name"),
    ):
        if place is None:
            continue
        name = pick(getattr(place, field), lang, default).text
        point = (place.lat, place.lon) if valid_point(place.lat, place.lon) else None
        return name, place.address, point
    return "", "", None


def until_in_utc(rule: str, tz: ZoneInfo) -> str:
    """The rule as stored, with ``UNTIL`` rewritten in UTC (``…Z``): RFC 5545 requires that
    form when DTSTART has a TZID. A date-only UNTIL means the end of that local day, as in
    ``heco.programme.recurrence``."""

    def repl(match):
        date, _t, time, utc = match.groups()
        if utc:
            return match.group(0)
        local = dt.datetime.strptime(date + (time or "235959"), "%Y%m%d%H%M%S")
        moment = local.replace(tzinfo=tz).astimezone(dt.UTC)
        return "UNTIL=" + moment.strftime("%Y%m%dT%H%M%SZ")

    return recurrence.UNTIL_RE.sub(repl, rule)


def until_as_date(rule: str, tz: ZoneInfo) -> str:
    """The rule with ``UNTIL`` as a date (its local day in ``tz``): RFC 5545 requires that
    form when DTSTART is a date (an all-day event)."""

    def repl(match):
        date, _t, time, utc = match.groups()
        if time and utc:
            moment = dt.datetime.strptime(date + time, "%Y%m%d%H%M%S").replace(tzinfo=dt.UTC)
            return "UNTIL=" + moment.astimezone(tz).strftime("%Y%m%d")
        return f"UNTIL={date}"

    return recurrence.UNTIL_RE.sub(repl, rule)


def _add_when(vevent, event, tz: ZoneInfo) -> None:
    """DTSTART, DTEND, RRULE and EXDATE: moments in the event's zone, or dates."""
    if event.all_day:
        first, last = dates.days(event.start, event.end, tz)
        vevent.add("dtstart", first)
        vevent.add("dtend", last + dates.ONE_DAY)  # exclusive, as RFC 5545 says for dates
    else:
        vevent.add("dtstart", event.start.astimezone(tz))
        if event.end:
            vevent.add("dtend", event.end.astimezone(tz))
    rule = recurrence.normalise_rule(event.rrule)
    if not rule:
        return
    try:
        recurrence.build_rule(rule, event.start.astimezone(tz).replace(tzinfo=None), tz)
        text = until_as_date(rule, tz) if event.all_day else until_in_utc(rule, tz)
        vevent.add("rrule", vRecur.from_ical(text))
    except ValueError:
        return  # a rule we do not accept is left out: the first occurrence still shows
    skipped = sorted(recurrence.excluded(event))
    if skipped and event.all_day:
        vevent.add("exdate", [local.date() for local in skipped])
    elif skipped:
        vevent.add("exdate", [local.replace(tzinfo=tz) for local in skipped])


def event_url(event, lang: str) -> str:
    with override(lang):
        return settings.SITE_URL + reverse("site:event", kwargs={"slug": event.slug})


def build_calendar(events, *, name: str, lang: str, feed_url: str = "") -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//HE.CO Hub//Heritage events//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    if feed_url:
        cal.add("source", feed_url, parameters={"VALUE": "URI"})
    cal.add("refresh-interval", dt.timedelta(hours=6), parameters={"VALUE": "DURATION"})
    host = uid_host()
    for event in events:
        default = event.organisation.community.default_language
        tz = _zone(event)
        vevent = VEvent()
        vevent.add("uid", f"{event.pk}@{host}")
        stamp = (event.updated_at or event.created_at or timezone.now()).astimezone(dt.UTC)
        vevent.add("dtstamp", stamp)
        vevent.add("last-modified", stamp)
        vevent.add("summary", _text(pick(event.title, lang, default).text or event.slug))
        description = _text(pick(event.description, lang, default).text)
        if description:
            vevent.add("description", description)
        _add_when(vevent, event, tz)
        vevent.add("url", event_url(event, lang), parameters={"VALUE": "URI"})
        place_name, address, point = _place(event, lang, default)
        location = ", ".join(part for part in (place_name, address) if part)
        if location:
            vevent.add("location", _text(location))
        if point:
            vevent.add("geo", point)
        vevent.add("status", "CONFIRMED")
        vevent.add("transp", "OPAQUE")
        cal.add_component(vevent)
    # VTIMEZONE rules from the first event's year to a few years ahead (stable within a year;
    # icalendar's default window is 1970-2038, which makes every zone kilobytes long)
    first_year = min((event.start.year for event in events), default=timezone.now().year)
    cal.add_missing_timezones(
        first_date=dt.date(first_year, 1, 1),
        last_date=dt.date(timezone.now().year + TIMEZONE_YEARS_AHEAD, 1, 1),
    )
    return cal.to_ical()
