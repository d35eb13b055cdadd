"""iCalendar (RFC 5545) VEVENTs to event records: TZID time zones, RRULE recurrence with
EXDATE exceptions and RECURRENCE-ID overrides of single occurrences.

A VEVENT whose DTSTART is a date (``DTSTART;VALUE=DATE:20270501``) is an all-day event: its
days start at midnight in the calendar's zone and DTEND (a date too) is the day after the last
one, which is how ``heco.programme.dates`` stores them; without DTEND or DURATION it lasts one
day. Its EXDATE, RDATE and RECURRENCE-ID dates name days.
"""

from __future__ import annotations

import datetime as dt
import functools
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from heco.harvest.sources.base import HarvestedRecord, SourceUnavailable
from heco.programme import dates

_zones = functools.cache(available_timezones)  # it reads the zone files each time


def _known_zone(name: str) -> str:
    """The IANA name of a TZID: itself, or what a Windows name (``W. Europe Standard Time``)
    or a globally unique one (``/mozilla.org/…/Europe/Berlin``) stands for; else ""."""
    from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

    parts = name.strip().strip("/").split("/")
    candidates = [WINDOWS_TO_OLSON.get(name.strip(), "")]
    candidates += ["/".join(parts[start:]) for start in range(len(parts))]
    return next((c for c in candidates if c in _zones()), "")


@functools.cache
def _zone_with_offsets(offsets: tuple, default_zone: str) -> str:
    """The calendar's zone, else the first IANA zone, that has ``offsets`` in mid-January and
    mid-July (a VTIMEZONE of its own under a name nobody knows)."""
    year = offsets[0]
    for name in [default_zone, *sorted(_zones())]:
        zone = ZoneInfo(name)
        if offsets[1:] == tuple(zone.utcoffset(dt.datetime(year, m, 15)) for m in (1, 7)):
            return name
    return ""


def _zone_name(value: dt.datetime, default_zone: str) -> str:
    tzinfo = value.tzinfo
    key = getattr(tzinfo, "key", None) or getattr(tzinfo, "zone", None)
    if key:
        return str(key)
    if str(tzinfo) in ("UTC", "UTC+00:00"):
        return "UTC"
    # a VTIMEZONE of the feed (Outlook, Exchange): the moment is right, the name is not IANA
    tzid = getattr(tzinfo, "_tzid", "") or ""
    offsets = (value.year, *(tzinfo.utcoffset(dt.datetime(value.year, m, 15)) for m in (1, 7)))
    return _known_zone(tzid) or _zone_with_offsets(offsets, default_zone)


def _aware(value, default_zone: str):
    """A datetime in its own zone; all-day dates start at midnight in the calendar's zone."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            return value.replace(tzinfo=ZoneInfo(default_zone)), default_zone
        return value, _zone_name(value, default_zone) or default_zone
    if isinstance(value, dt.date):
        zone = ZoneInfo(default_zone)
        return dt.datetime(value.year, value.month, value.day, tzinfo=zone), default_zone
    return None, default_zone


def _is_date(value) -> bool:
    return isinstance(value, dt.date) and not isinstance(value, dt.datetime)


def _whole_days(fields: dict) -> None:
    """An all-day record's start and end as whole days in its zone (a one-day event when the
    end is missing or the same as the start; an end before the start is left for
    ``normalise.prepare_event`` to report)."""
    start, end = fields.get("start"), fields.get("end")
    if fields.get("all_day") and start is not None and (end is None or end >= start):
        tz = ZoneInfo(fields["timezone"])
        fields["start"], fields["end"] = dates.bounds(start, end, tz)


def _text(component, name: str) -> dict:
    value = component.get(name)
    if value is None:
        return {}
    values = value if isinstance(value, list) else [value]
    out: dict = {}
    for item in values:
        lang = getattr(item, "params", {}).get("LANGUAGE", "")
        text = str(item).strip()
        if text and lang not in out:
            out[lang] = text
    return out


def parse_calendar(data: bytes, default_zone: str) -> list[HarvestedRecord]:
    from icalendar import Calendar

    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:  # RFC 5545 says UTF-8; older servers send Windows-1252
        text = data.decode("cp1252", errors="replace")
    try:
        calendar = Calendar.from_ical(text)
    except ValueError as exc:
        raise SourceUnavailable(f"malformed iCalendar feed: {exc}")
    wr_zone = _known_zone(str(calendar.get("X-WR-TIMEZONE") or "")) or default_zone
    records, masters, overrides, uids = [], {}, [], set()
    for component in calendar.walk("VEVENT"):
        if component.get("RECURRENCE-ID") is not None:
            overrides.append(component)  # one occurrence of a series, changed: below
            continue
        record = event_record(component, wr_zone)
        records.append(record)
        if record.identifier in uids and not record.error:
            # the same UID twice: the first stays, this one is reported, not lost unseen
            record.error = "duplicate UID: another event of the feed has it"
            continue
        uids.add(record.identifier)
        if record.identifier and not record.error and not record.deleted:
            masters[record.identifier] = record
            try:
                records.extend(extra_dates(component, record))
            except (ValueError, TypeError, AttributeError) as exc:
                error = f"malformed RDATE: {exc}"
                records.append(HarvestedRecord(f"{record.identifier}#RDATE", error=error))
    for component in overrides:
        record = override_record(component, masters, wr_zone)
        if record is not None:
            records.append(record)
    return records


def override_record(component, masters: dict, default_zone: str) -> HarvestedRecord | None:
    """An overridden occurrence (``RECURRENCE-ID``): the series skips that occurrence (it is
    added to the master's ``exdates``) and, unless it is cancelled, the occurrence becomes an
    event of its own, identified ``UID#RECURRENCE-ID`` (UTC), with what it does not say taken
    from the series (title, description, place, duration)."""
    uid = str(component.get("UID") or "").strip()
    master = masters.get(uid)
    try:
        zone = (master.fields.get("timezone") if master else "") or default_zone
        moment, _zone = _aware(component.get("RECURRENCE-ID").dt, zone)
        if moment is None:
            raise ValueError("RECURRENCE-ID is not a date")
    except (ValueError, TypeError, AttributeError, ZoneInfoNotFoundError) as exc:
        return HarvestedRecord(identifier=uid, target="event", error=f"malformed event: {exc}")
    if master is not None and master.fields.get("rrule"):
        local = moment.astimezone(ZoneInfo(zone)).replace(tzinfo=None)
        exdates = master.fields.setdefault("exdates", [])
        key = local.isoformat(timespec="seconds")
        if key not in exdates:
            exdates.append(key)
    record = event_record(component, zone)
    record.identifier = f"{uid}#{_utc_stamp(moment)}"
    if record.error or record.deleted:
        return record  # a cancelled occurrence: the series no longer has it, nothing else
    record.fields.pop("rrule", None)
    record.fields.pop("exdates", None)
    if master is not None:
        inherited = master.fields
        for name in ("title", "description", "location", "location_point", "url", "rights"):
            if not record.fields.get(name) and inherited.get(name):
                record.fields[name] = inherited[name]
        says_end = component.get("DTEND") is not None or component.get("DURATION") is not None
        if not says_end and inherited.get("end") and inherited.get("start"):
            start = record.fields.get("start")
            if start is not None:
                record.fields["end"] = start + (inherited["end"] - inherited["start"])
                _whole_days(record.fields)
    return record


def _utc_stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def extra_dates(component, master: HarvestedRecord) -> list[HarvestedRecord]:
    """``RDATE`` occurrences (dates the rule does not give): an event each, identified
    ``UID#start`` (UTC) like a moved occurrence, the rest as the series says."""
    value = component.get("RDATE")
    fields, zone = master.fields, master.fields.get("timezone")
    if value is None or "start" not in fields:
        return []
    duration = fields["end"] - fields["start"] if fields.get("end") else None
    out = []
    for prop in value if isinstance(value, list) else [value]:
        for item in getattr(prop, "dts", []):
            start, end = item.dt if isinstance(item.dt, tuple) else (item.dt, None)
            start = _aware(start, zone)[0]
            if start is None or start == fields["start"]:
                continue
            if isinstance(end, dt.timedelta):
                end = start + end
            elif end is not None:
                end = _aware(end, zone)[0]
            else:
                end = start + duration if duration else None
            extra = {k: v for k, v in fields.items() if k not in ("rrule", "exdates", "end")}
            extra["start"] = start
            if end is not None:
                extra["end"] = end
            _whole_days(extra)
            identifier = f"{master.identifier}#{_utc_stamp(start)}"
            out.append(
                HarvestedRecord(identifier, extra, "event", master.datestamp, raw=master.raw)
            )
    return out


def _exdates(component, zone: str, start: dt.datetime, all_day: bool = False) -> list[str]:
    """EXDATE values (one property or several, each a list) as local starts in ``zone``; a
    date alone in a series with a time of day skips that day's occurrence, and so does a
    moment of that day in an all-day series."""
    value = component.get("EXDATE")
    if value is None:
        return []
    at = start.astimezone(ZoneInfo(zone)).time()
    out = []
    for prop in value if isinstance(value, list) else [value]:
        for item in getattr(prop, "dts", []):
            day = item.dt
            if _is_date(day):
                day = dt.datetime.combine(day, at)
            moment, _zone = _aware(day, zone)
            if moment is not None:
                local = moment.astimezone(ZoneInfo(zone)).replace(tzinfo=None)
                if all_day:
                    local = dt.datetime.combine(local.date(), dt.time.min)
                out.append(local.isoformat(timespec="seconds"))
    return list(dict.fromkeys(out))


def event_record(component, default_zone: str) -> HarvestedRecord:
    uid = str(component.get("UID") or "").strip()
    raw = component.to_ical().decode("utf-8", errors="replace")
    record = HarvestedRecord(identifier=uid, target="event", raw=raw)
    if not uid:  # nothing to know it by next time; say which event it is
        title = next(iter(_text(component, "SUMMARY").values()), "")
        start = component.get("DTSTART")
        record.error = f"no UID: {title!r} starting {start.to_ical().decode() if start else '?'}"
        return record
    try:
        stamp = component.get("LAST-MODIFIED") or component.get("DTSTAMP")
        if stamp is not None:
            record.datestamp = stamp.dt if isinstance(stamp.dt, dt.datetime) else None
        if str(component.get("STATUS") or "").upper() == "CANCELLED":
            record.deleted = True
            return record
        start_prop = component.get("DTSTART")
        start_value = start_prop.dt if start_prop is not None else None
        start, zone = _aware(start_value, default_zone)
        fields: dict = {"title": _text(component, "SUMMARY"), "timezone": zone}
        all_day = start is not None and _is_date(start_value)
        if all_day:
            fields["all_day"] = True
        description = _text(component, "DESCRIPTION")
        if description:
            fields["description"] = description
        if start is not None:
            fields["start"] = start
            end_prop = component.get("DTEND")
            if end_prop is not None:
                fields["end"] = _aware(end_prop.dt, zone)[0]
            elif component.get("DURATION") is not None:
                fields["end"] = start + component.get("DURATION").dt
            _whole_days(fields)
        rule = component.get("RRULE")
        if rule is not None and start is not None:
            fields["rrule"] = rule.to_ical().decode()  # checked by normalise.prepare_event
            exdates = _exdates(component, zone, start, all_day)
            if exdates:
                fields["exdates"] = exdates
        if component.get("URL"):
            fields["url"] = str(component.get("URL"))
        if component.get("LOCATION"):
            fields["location"] = str(component.get("LOCATION"))
        geo = component.get("GEO")
        if geo is not None:
            fields["location_point"] = [geo.latitude, geo.longitude]
        if component.get("CLASS") or component.get("X-LICENSE"):
            fields["rights"] = str(component.get("X-LICENSE") or "")
        record.fields = fields
    except (ValueError, TypeError, AttributeError, ZoneInfoNotFoundError) as exc:
        record.error = f"malformed event: {exc}"
    return record
