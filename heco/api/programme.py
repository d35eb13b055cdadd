"""``/services`` and ``/events``: published cultural services and events."""

from __future__ import annotations

import uuid

from django.http import Http404
from ninja import Query, Router, Status

from heco.api.common import language_maps, paginate, ref
from heco.api.schemas import (
    EventOut,
    EventPage,
    Gone,
    LangParams,
    Message,
    PageParams,
    ServiceOut,
    ServicePage,
    ValidationErrors,
)
from heco.api.urls_helper import public_url
from heco.core.models import Status as Lifecycle
from heco.programme.models import Event, Service

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


@router.get(
    "/services",
    response={200: ServicePage, 422: ValidationErrors},
    tags=["services"],
    summary="List published cultural services",
    exclude_unset=True,
)
def list_services(request, page: Query[PageParams], params: Query[LangParams]):
    items, count = paginate(services().published(), page.limit, page.offset)
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


@router.get(
    "/events",
    response={200: EventPage, 422: ValidationErrors},
    tags=["events"],
    summary="List published events",
    exclude_unset=True,
)
def list_events(request, page: Query[PageParams], params: Query[LangParams]):
    """Published events by start time."""
    items, count = paginate(events().published(), page.limit, page.offset)
    return {"items": [event_item(e, params.lang) for e in items], "count": count}


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
