"""``/services`` and ``/events``: published cultural services and events."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from types import SimpleNamespace

from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from ninja import Query, Router, Status

from heco.api.common import invalid, language_maps, paginate, parse_moment, ref
from heco.api.filters import json_list_has_any
from heco.api.schemas import (
    EventFilters,
    EventOut,
    EventPage,
    Gone,
    LangParams,
    Message,
    OccurrencePage,
    PageParams,
    ServiceFilters,
    ServiceOut,
    ServicePage,
    ValidationErrors,
)
from heco.api.urls_helper import public_url
from heco.core.models import Status as Lifecycle
from heco.programme import recurrence
from heco.programme.models import Event, Service

# /events with both from and to, and /events/occurrences, expand recurrence in Python over
# the window: a year (and a bit) keeps that bounded.
MAX_WINDOW_DAYS = 400
DEFAULT_OCCURRENCE_DAYS = 31

router = Router()


def _strings(value) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else []


def _public_asset(asset):
    """Link to an asset only when its page is public."""
    return asset if asset is not None and asset.status == Lifecycle.PUBLISHED else None


def _detail_or_gone(queryset, id: uuid.UUID):
    obj = queryset.filter(id=id).first()
    if obj is None or obj.status not in (Lifecycle.PUBLISHED, Lifecycle.DELETED):
        raise Http404
    return obj


# --- services ----------------------------------------------------------------------------


def service_item(service: Service, lang: str | None) -> dict:
    default = service.organisation.community.default_language
    return {
        "id": service.id,
        "slug": service.slug,
        "url": public_url("service", service.slug, lang),
        **language_maps(
            lang,
            default,
            name=service.name,
            description=service.description,
            prices=service.prices,
        ),
        "kind": service.kind,
        "organisation": ref("organisation", service.organisation, lang, default),
        "asset": ref("asset", _public_asset(service.asset), lang, default),
        "opening_hours": service.opening_hours,
        "booking_contact": service.booking_contact,
        "booking_url": service.booking_url,
        "languages": _strings(service.languages),
        "accessibility": _strings(service.accessibility),
        "updated_at": service.updated_at,
    }


def services():
    return Service.objects.select_related("organisation__community", "asset").order_by("slug", "id")


def _uuids(values) -> list[uuid.UUID]:
    out = []
    for value in values:
        try:
            out.append(uuid.UUID(value))
        except ValueError:
            continue
    return out


def filter_services(queryset, filters: ServiceFilters):
    if filters.organisation:
        queryset = queryset.filter(organisation__slug__in=filters.organisation)
    if filters.community:
        queryset = queryset.filter(
            Q(asset__community__slug__in=filters.community)
            | Q(asset__isnull=True, organisation__community__slug__in=filters.community)
        )
    if filters.kind:
        queryset = queryset.filter(kind__in=filters.kind)
    if filters.asset:
        queryset = queryset.filter(
            Q(asset__slug__in=filters.asset) | Q(asset_id__in=_uuids(filters.asset)),
            asset__status=Lifecycle.PUBLISHED,
        )
    return queryset


@router.get(
    "/services",
    response={200: ServicePage, 422: ValidationErrors},
    tags=["services"],
    summary="List published cultural services",
    exclude_unset=True,
)
def list_services(
    request,
    filters: Query[ServiceFilters],
    page: Query[PageParams],
    params: Query[LangParams],
):
    """Published services by slug. Repeat a filter parameter to accept several values."""
    queryset = filter_services(services().published(), filters)
    items, count = paginate(queryset, page.limit, page.offset)
    return {"items": [service_item(s, params.lang) for s in items], "count": count}


@router.get(
    "/services/{id}",
    response={200: ServiceOut, 404: Message, 410: Gone, 422: ValidationErrors},
    tags=["services"],
    summary="One published cultural service",
    exclude_unset=True,
)
def get_service(request, id: uuid.UUID, params: Query[LangParams]):
    """A deleted service answers 410 with its id; one that is not published answers 404."""
    service = _detail_or_gone(services(), id)
    if service.status == Lifecycle.DELETED:
        return Status(410, {"id": service.id, "status": "deleted"})
    return service_item(service, params.lang)


# --- events ------------------------------------------------------------------------------


def event_item(event: Event, lang: str | None) -> dict:
    default = event.organisation.community.default_language
    return {
        "id": event.id,
        "slug": event.slug,
        "url": public_url("event", event.slug, lang),
        **language_maps(lang, default, title=event.title, description=event.description),
        "start": event.start,
        "end": event.end,
        "timezone": event.timezone,
        "all_day": event.all_day,
        "rrule": event.rrule,
        "organisation": ref("organisation", event.organisation, lang, default),
        "asset": ref("asset", _public_asset(event.asset), lang, default),
        "venue": ref("organisation", event.venue, lang, default),
        "capacity": event.capacity,
        "registration_url": event.registration_url,
        "accessibility": _strings(event.accessibility),
        "audience": _strings(event.audience),
        "updated_at": event.updated_at,
    }


def events():
    return Event.objects.select_related("organisation__community", "asset", "venue").order_by(
        "start", "id"
    )


@dataclass(frozen=True)
class Window:
    start: dt.datetime | None
    end: dt.datetime | None


def clean_window(filters: EventFilters, *, bounded: bool = False) -> Window:
    """``from``/``to`` as aware datetimes; 422 naming the field when unreadable or reversed.

    With ``bounded`` (occurrence lists) a missing ``from`` is now and a missing ``to``
    ``DEFAULT_OCCURRENCE_DAYS`` later; a window of both is at most ``MAX_WINDOW_DAYS``.
    """
    start = parse_moment(filters.from_, "from") if filters.from_ else None
    end = parse_moment(filters.to, "to", end_of_day=True) if filters.to else None
    if bounded:
        start = start or timezone.now()
        end = end or start + dt.timedelta(days=DEFAULT_OCCURRENCE_DAYS)
    if start and end:
        if end <= start:
            raise invalid("to", "to must be after from.")
        if end - start > dt.timedelta(days=MAX_WINDOW_DAYS):
            raise invalid("to", f"from and to may be at most {MAX_WINDOW_DAYS} days apart.")
    return Window(start, end)


def filter_events(queryset, filters: EventFilters):
    """Organisation, community and audience (the place/host rules of the shared calendar)."""
    if filters.organisation:
        queryset = queryset.filter(
            Q(organisation__slug__in=filters.organisation) | Q(venue__slug__in=filters.organisation)
        )
    if filters.community:
        slugs = filters.community
        queryset = queryset.filter(
            Q(asset__community__slug__in=slugs)
            | Q(asset__isnull=True, venue__community__slug__in=slugs)
            | Q(asset__isnull=True, venue__isnull=True, organisation__community__slug__in=slugs)
        )
    if filters.audience:
        queryset = queryset.filter(json_list_has_any("audience", filters.audience))
    return queryset


def _in_window(queryset, window: Window):
    """Events with an occurrence overlapping [start, end).

    One-off events are tested in SQL (an occurrence without an end must start in the window).
    Recurring events: with only ``from``, those not over before it (``last_occurrence``,
    null = unbounded); with only ``to``, those starting before it; with both, the candidates
    from SQL are expanded in Python (``recurrence.occurrences``) over the bounded window.
    """
    one_off = Q(rrule="")
    if window.end:
        one_off &= Q(start__lt=window.end)
    if window.start:
        one_off &= Q(end__gt=window.start) | Q(start__gte=window.start)
    recurring = ~Q(rrule="")
    if window.end:
        recurring &= Q(start__lt=window.end)
    if window.start:
        recurring &= Q(last_occurrence__isnull=True) | Q(last_occurrence__gte=window.start)
    if window.start and window.end:
        candidates = queryset.filter(recurring).values(
            "id", "start", "end", "rrule", "timezone", "all_day"
        )
        matching = [
            row["id"]
            for row in candidates.iterator()
            if recurrence.occurrences(
                SimpleNamespace(pk=row["id"], **row), window.start, window.end
            )
        ]
        recurring = Q(id__in=matching)
    return queryset.filter(one_off | recurring)


@router.get(
    "/events",
    response={200: EventPage, 422: ValidationErrors},
    tags=["events"],
    summary="List published events",
    exclude_unset=True,
)
def list_events(
    request,
    filters: Query[EventFilters],
    page: Query[PageParams],
    params: Query[LangParams],
):
    """Published events by start time. With `from`/`to`, the events with an occurrence in
    that window (recurring events expanded; `from` and `to` together at most
    400 days apart). Repeat a filter parameter to accept several values."""
    window = clean_window(filters)
    queryset = filter_events(events().published(), filters)
    if window.start or window.end:
        queryset = _in_window(queryset, window)
    items, count = paginate(queryset, page.limit, page.offset)
    return {"items": [event_item(e, params.lang) for e in items], "count": count}


def occurrence_item(occurrence, lang: str | None) -> dict:
    event = occurrence.event
    default = event.organisation.community.default_language
    return {
        "event": {
            "id": event.id,
            "slug": event.slug,
            "url": public_url("event", event.slug, lang),
            **language_maps(lang, default, title=event.title),
        },
        "start": occurrence.start,
        "end": occurrence.end,
        "timezone": event.timezone,
        "all_day": event.all_day,
    }


@router.get(
    "/events/occurrences",
    response={200: OccurrencePage, 422: ValidationErrors},
    tags=["events"],
    summary="Occurrences of published events in a time window",
    exclude_unset=True,
)
def list_occurrences(
    request,
    filters: Query[EventFilters],
    page: Query[PageParams],
    params: Query[LangParams],
):
    """Each occurrence (recurring events expanded in their own time zone) overlapping
    [`from`, `to`), by start. `from` defaults to now, `to` to 31 days later; at most
    400 days apart."""
    window = clean_window(filters, bounded=True)
    queryset = filter_events(events().published(), filters)
    found = recurrence.upcoming_occurrences(queryset, window.start, window.end, limit=None)
    items = found[page.offset : page.offset + page.limit]
    return {"items": [occurrence_item(o, params.lang) for o in items], "count": len(found)}


@router.get(
    "/events/{id}",
    response={200: EventOut, 404: Message, 410: Gone, 422: ValidationErrors},
    tags=["events"],
    summary="One published event",
    exclude_unset=True,
)
def get_event(request, id: uuid.UUID, params: Query[LangParams]):
    """A deleted event answers 410 with its id; one that is not published answers 404."""
    event = _detail_or_gone(events(), id)
    if event.status == Lifecycle.DELETED:
        return Status(410, {"id": event.id, "status": "deleted"})
    return event_item(event, params.lang)
