"""Opening hours in OpenStreetMap ``opening_hours`` syntax, parsed by opening-hours-py.

Times in the syntax are local to the place; we evaluate them in the time zone of the
provider's country.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo

import opening_hours
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

COUNTRY_TIME_ZONES = {
    "LT": "Europe/Vilnius",
    "IT": "Europe/Rome",
    "SI": "Europe/Ljubljana",
    "MT": "Europe/Malta",
    "NL": "Europe/Amsterdam",
    "HR": "Europe/Zagreb",
    "AT": "Europe/Vienna",
    "LV": "Europe/Riga",
    "PL": "Europe/Warsaw",
    "DE": "Europe/Berlin",
    "BE": "Europe/Brussels",
    "FR": "Europe/Paris",
}


def zone_for_country(country: str | None) -> ZoneInfo:
    return ZoneInfo(COUNTRY_TIME_ZONES.get((country or "").upper(), "Europe/Brussels"))


@lru_cache(maxsize=4096)
def parse(expression: str) -> opening_hours.OpeningHours | None:
    if not expression or not expression.strip():
        return None
    try:
        return opening_hours.OpeningHours(expression.strip())
    except Exception:  # the library raises its own ParserError (and others on odd input)
        return None


def validate_opening_hours(expression: str) -> None:
    if expression and parse(expression) is None:
        raise ValidationError(
            _("“%(value)s” is not valid opening_hours syntax (see the OpenStreetMap wiki)."),
            params={"value": expression},
            code="invalid_opening_hours",
        )


@dataclass(frozen=True)
class OpenState:
    is_open: bool
    next_change: dt.datetime | None  # aware, in the place's zone
    known: bool = True


def state_at(expression: str, country: str | None, at: dt.datetime | None = None) -> OpenState:
    """Open or closed at ``at`` (default now), and when that changes within the next 8 days.

    The parser's own ``next_change`` scans for years on always-open rules (seconds of CPU), so
    the next change is read from the intervals of a bounded window instead.
    """
    oh = parse(expression)
    if oh is None:
        return OpenState(False, None, known=False)
    zone = zone_for_country(country)
    local = timezone.localtime(at or timezone.now(), zone).replace(tzinfo=None)
    try:
        is_open = oh.is_open(local)
        change = None
        for begin, _finish, state, _comment in oh.intervals(local, local + dt.timedelta(days=8)):
            if begin > local and (state == opening_hours.State.OPEN) != is_open:
                change = begin
                break
    except Exception:
        return OpenState(False, None, known=False)
    return OpenState(is_open, change.replace(tzinfo=zone) if change else None)


def opening_intervals(expression: str, country: str | None, start: dt.datetime, end: dt.datetime):
    """Open intervals between ``start`` and ``end`` as aware (start, end) pairs in local time."""
    oh = parse(expression)
    if oh is None:
        return []
    zone = zone_for_country(country)
    lo = timezone.localtime(start, zone).replace(tzinfo=None)
    hi = timezone.localtime(end, zone).replace(tzinfo=None)
    out = []
    for begin, finish, state, _comment in oh.intervals(lo, hi):
        if state == opening_hours.State.OPEN:
            out.append((begin.replace(tzinfo=zone), finish.replace(tzinfo=zone)))
    return out


def open_asset_ids(at: dt.datetime | None = None) -> set:
    """Ids of assets where at least one published service is open at ``at`` (default now)."""
    from heco.core.models import Status
    from heco.programme.models import Service

    rows = (
        Service.objects.filter(status=Status.PUBLISHED, asset__isnull=False)
        .exclude(opening_hours="")
        .values_list("asset_id", "opening_hours", "organisation__community__country")
    )
    return {asset_id for asset_id, expr, country in rows if state_at(expr, country, at).is_open}
