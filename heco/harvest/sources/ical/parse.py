"""iCalendar (RFC 5545) VEVENTs to event records: TZID time zones, RRULE recurrence with
EXDATE exceptions and RECURRENCE-ID overrides of single occurrences."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from heco.harvest.sources.base import HarvestedRecord, SourceUnavailable


def _zone_name(tzinfo) -> str:
    key = getattr(tzinfo, "key", None) or getattr(tzinfo, "zone", None)
    if key:
        return str(key)
    name = str(tzinfo) if tzinfo is not None else ""
    return "UTC" if name in ("UTC", "UTC+00:00") else ""


def _aware(value, default_zone: str):
    """A datetime in its own zone; all-day dates start at midnight in the calendar's zone."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            return value.replace(tzinfo=ZoneInfo(default_zone)), default_zone
        return value, _zone_name(value.tzinfo) or default_zone
    if isinstance(value, dt.date):
        zone = ZoneInfo(default_zone)
        return dt.datetime(value.year, value.month, value.day, tzinfo=zone), default_zone
    return None, default_zone


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
        calendar = Calendar.from_ical(data)
    except ValueError as exc:
        raise SourceUnavailable(f"malformed iCalendar feed: {exc}")
    wr_zone = str(calendar.get("X-WR-TIMEZONE") or "") or default_zone
    try:
        ZoneInfo(wr_zone)
    except (ZoneInfoNotFoundError, ValueError):
        wr_zone = default_zone
    records, masters, overrides = [], {}, []
    for component in calendar.walk("VEVENT"):
        if component.get("RECURRENCE-ID") is not None:
            overrides.append(component)  # one occurrence of a series, changed: below
            continue
        record = event_record(component, wr_zone)
        records.append(record)
        if record.identifier and not record.error and not record.deleted:
            masters[record.identifier] = record
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
    record.identifier = f"{uid}#{moment.astimezone(dt.UTC).strftime('%Y%m%dT%H%M%SZ')}"
    if record.error or record.deleted:
        return record  # a cancelled occurrence: the series no longer has it, nothing else
    record.fields.pop("rrule", None)
    record.fields.pop("exdates", None)
    if master is not None:
        inherited = master.fields
        for name in ("title", "description", "location", "location_point", "url", "rights"):
            if not record.fields.get(name) and inherited.get(name):
                record.fields[name] = inherited[name]
        if "end" not in record.fields and inherited.get("end") and inherited.get("start"):
            start = record.fields.get("start")
            if start is not None:
                record.fields["end"] = start + (inherited["end"] - inherited["start"])
    return record


def _exdates(component, zone: str) -> list[str]:
    """EXDATE values (one property or several, each a list) as local starts in ``zone``."""
    value = component.get("EXDATE")
    if value is None:
        return []
    out = []
    for prop in value if isinstance(value, list) else [value]:
        for item in getattr(prop, "dts", []):
            moment, _zone = _aware(item.dt, zone)
            if moment is not None:
                local = moment.astimezone(ZoneInfo(zone)).replace(tzinfo=None)
                out.append(local.isoformat(timespec="seconds"))
    return list(dict.fromkeys(out))


def event_record(component, default_zone: str) -> HarvestedRecord:
    uid = str(component.get("UID") or "").strip()
    raw = component.to_ical().decode("utf-8", errors="replace")
    record = HarvestedRecord(identifier=uid, target="event", raw=raw)
    try:
        stamp = component.get("LAST-MODIFIED") or component.get("DTSTAMP")
        if stamp is not None:
            record.datestamp = stamp.dt if isinstance(stamp.dt, dt.datetime) else None
        if str(component.get("STATUS") or "").upper() == "CANCELLED":
            record.deleted = True
            return record
        start_prop = component.get("DTSTART")
        start, zone = _aware(start_prop.dt if start_prop is not None else None, default_zone)
        fields: dict = {"title": _text(component, "SUMMARY"), "timezone": zone}
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
        rule = component.get("RRULE")
        if rule is not None:
            fields["rrule"] = rule.to_ical().decode()
            exdates = _exdates(component, zone)
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
