"""Service directory, events list, month calendar and their detail pages."""

from __future__ import annotations

import calendar
import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from heco.core.cache import public_page
from heco.network.models import Community, Organisation
from heco.programme.models import Accessibility, Event, Service
from heco.site import jsonld, selectors
from heco.site.forms import EventListForm, ServiceFilterForm, parse_month
from heco.site.views.common import (
    Gone,
    bad_request,
    base_url,
    choice_labels,
    gone,
    lang,
    language_name,
    paginate,
    public_record,
)

SERVICES_PER_PAGE = 20
EVENTS_PER_PAGE = 20
EVENTS_MAX_PAGE = 50
CALENDAR_LIMIT = 1000


def _communities():
    return list(Community.objects.order_by("country", "slug")[:500])


@public_page
def service_list(request):
    form = ServiceFilterForm(request.GET)
    context = {"form": form, "communities": _communities(), "kinds": form.fields["kind"].choices}
    if not form.is_valid():
        return bad_request(request, "site/service_list.html", context, form.error_list())
    data = form.cleaned_data
    qs = selectors.published_services().order_by("slug")
    organisation = None
    if data["kind"]:
        qs = qs.filter(kind=data["kind"])
    if data["community"]:
        qs = qs.filter(
            Q(organisation__community__slug=data["community"])
            | Q(asset__community__slug=data["community"])
        )
    if data["organisation"]:
        organisation = Organisation.objects.filter(slug=data["organisation"]).first()
        qs = qs.filter(organisation__slug=data["organisation"])
    page = paginate(qs, data["page"], SERVICES_PER_PAGE)
    page.object_list = selectors.with_states(page.object_list)
    context.update({"page": page, "organisation": organisation})
    return render(request, "site/service_list.html", context)


@public_page
def service_detail(request, slug):
    code = lang()
    qs = Service.objects.select_related(
        "organisation", "organisation__community", "asset", "asset__community"
    )
    try:
        service = public_record(qs, slug)
    except Gone:
        return gone(request, _("This service has been removed from the directory."))
    if service.asset_id and service.asset.status != "published":
        service.asset = None
        service.asset_id = None
    service.state = selectors.service_state(service)
    context = {
        "service": service,
        "week": selectors.week_hours(service),
        "languages": [language_name(c, code) for c in service.languages or []],
        "accessibility": choice_labels(Accessibility.choices, service.accessibility),
        "jsonld": jsonld.service_jsonld(service, base_url=base_url(request), lang=code),
    }
    return render(request, "site/service_detail.html", context)


@public_page
def event_list(request):
    form = EventListForm(request.GET)
    context = {"form": form}
    if not form.is_valid():
        return bad_request(request, "site/event_list.html", context, form.error_list())
    number = form.cleaned_data["page"]
    if number > EVENTS_MAX_PAGE:
        raise Http404(gettext("There is no page %(page)s of this list.") % {"page": number})
    organisation = None
    qs = selectors.published_events()
    slug = form.cleaned_data["organisation"]
    if slug:
        organisation = Organisation.objects.filter(slug=slug).first()
        qs = qs.filter(Q(organisation__slug=slug) | Q(venue__slug=slug))
    found = selectors.upcoming(qs, limit=number * EVENTS_PER_PAGE + 1)
    start = (number - 1) * EVENTS_PER_PAGE
    items = found[start : start + EVENTS_PER_PAGE]
    if number > 1 and not items:
        raise Http404(gettext("There is no page %(page)s of this list.") % {"page": number})
    context.update(
        {
            "occurrences": items,
            "organisation": organisation,
            "page_number": number,
            "has_previous": number > 1,
            "has_next": len(found) > start + EVENTS_PER_PAGE and number < EVENTS_MAX_PAGE,
        }
    )
    return render(request, "site/event_list.html", context)


def _month_shift(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


def month_link(year: int, month: int, delta: int) -> str | None:
    """``?month=`` of the month ``delta`` months away, or None when the calendar would refuse
    it (``parse_month``'s range): the first and last month offer no link past the end."""
    shifted_year, shifted_month = _month_shift(year, month, delta)
    value = f"{shifted_year:04d}-{shifted_month:02d}"
    try:
        parse_month(value)
    except ValidationError:
        return None
    return value


@public_page
def event_calendar(request):
    zone = ZoneInfo(settings.TIME_ZONE)
    today = timezone.localtime(timezone.now(), zone).date()
    raw = request.GET.get("month", "")
    context = {"today": today}
    try:
        year, month = parse_month(raw) if raw else (today.year, today.month)
    except ValidationError as error:
        context.update({"weeks": [], "month_start": today.replace(day=1)})
        return bad_request(request, "site/event_calendar.html", context, list(error.messages))
    first = dt.date(year, month, 1)
    next_year, next_month = _month_shift(year, month, 1)
    start = dt.datetime.combine(first, dt.time.min, zone)
    end = dt.datetime.combine(dt.date(next_year, next_month, 1), dt.time.min, zone)
    qs = (
        selectors.published_events()
        .filter(start__lt=end + dt.timedelta(days=1))
        .filter(
            Q(rrule="", start__gte=start - dt.timedelta(days=1))
            | Q(rrule="", end__gte=start)
            | (~Q(rrule="") & (Q(last_occurrence__isnull=True) | Q(last_occurrence__gte=start)))
        )
    )
    found = selectors.upcoming_occurrences(qs, start, end, CALENDAR_LIMIT)
    by_day: dict[dt.date, list] = {}
    for occ in found:
        by_day.setdefault(occ.start.date(), []).append(occ)
    weeks = [
        [
            {"date": day, "in_month": day.month == month, "occurrences": by_day.get(day, [])}
            for day in week
        ]
        for week in calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    ]
    month_list = [occ for occ in found if occ.start.date().month == month]
    context.update(
        {
            "weeks": weeks,
            "weekdays": [cell["date"] for cell in weeks[0]],
            "month_start": first,
            "month_occurrences": month_list,
            "prev_month": month_link(year, month, -1),
            "next_month": month_link(year, month, 1),
            "truncated": len(found) >= CALENDAR_LIMIT,
        }
    )
    return render(request, "site/event_calendar.html", context)


@public_page
def event_detail(request, slug):
    code = lang()
    qs = Event.objects.select_related(
        "organisation", "organisation__community", "asset", "asset__community", "venue"
    )
    try:
        event = public_record(qs, slug)
    except Gone:
        return gone(request, _("This event has been removed from the calendar."))
    if event.asset_id and event.asset.status != "published":
        event.asset = None
        event.asset_id = None
    now = timezone.now()
    upcoming = selectors.occurrences(event, now, now + dt.timedelta(days=selectors.HORIZON_DAYS))[
        :10
    ]
    shown = (
        upcoming[0]
        if upcoming
        else selectors.Occurrence(
            event,
            event.start.astimezone(selectors.event_zone(event)),
            event.end.astimezone(selectors.event_zone(event)) if event.end else None,
        )
    )
    context = {
        "event": event,
        "occurrence": shown,
        "upcoming_occurrences": upcoming,
        "is_past": not upcoming,
        "accessibility": choice_labels(Accessibility.choices, event.accessibility),
        "audience": choice_labels(Event.Audience.choices, event.audience),
        "jsonld": jsonld.event_jsonld(
            event, base_url=base_url(request), lang=code, start=shown.start, end=shown.end
        ),
    }
    return render(request, "site/event_detail.html", context)
