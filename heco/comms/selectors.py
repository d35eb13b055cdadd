"""Reads for communication, scoped once: what a user may see, and the calendar."""

from __future__ import annotations

import calendar
import datetime as dt

from django.db.models import Q
from django.utils import timezone

from heco.comms.models import Channel, Item
from heco.network.selectors import editable_organisation_ids, organisation_ids_for


def items_visible_to(user):
    return Item.objects.for_organisations(organisation_ids_for(user)).select_related(
        "organisation", "approved_by"
    )


def items_editable_by(user):
    return Item.objects.for_organisations(editable_organisation_ids(user))


def channels_visible_to(user):
    ids = organisation_ids_for(user)
    qs = Channel.objects.select_related("organisation")
    return qs if ids is None else qs.filter(organisation_id__in=ids)


def month_bounds(year: int, month: int):
    tz = timezone.get_current_timezone()
    start = dt.datetime(year, month, 1, tzinfo=tz)
    end = dt.datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=tz)
    return start, end


def calendar_weeks(items, year: int, month: int) -> list[list[dict]]:
    """A month grid (weeks of 7 days, Monday first) with each day's scheduled/published items."""
    by_day: dict[dt.date, list] = {}
    for item in items:
        when = item.calendar_date
        if when:
            by_day.setdefault(timezone.localtime(when).date(), []).append(item)
    weeks = []
    for week in calendar.Calendar(firstweekday=0).monthdatescalendar(year, month):
        weeks.append(
            [
                {"date": day, "in_month": day.month == month, "items": by_day.get(day, [])}
                for day in week
            ]
        )
    return weeks


def calendar_items(queryset, year: int, month: int):
    """Scheduled and published items whose date falls in the month."""
    start, end = month_bounds(year, month)
    return (
        queryset.filter(
            Q(published_at__gte=start, published_at__lt=end)
            | Q(published_at__isnull=True, scheduled_at__gte=start, scheduled_at__lt=end)
        )
        .select_related("organisation")
        .order_by("scheduled_at")
    )
