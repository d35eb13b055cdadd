"""Writes to cultural services and events.

Same pattern as ``heco.heritage.services``: keyword-only arguments, permission check,
``full_clean()`` before ``save()``, side effects in ``_after_*`` (services feed the asset's
accessibility and open-now facets, so the linked assets are reindexed).
"""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from heco.core.langmap import normalise_language_tag, pick
from heco.core.models import Status
from heco.heritage.services import reindex_assets, unique_slug
from heco.network.selectors import can_edit_organisation
from heco.programme import dates, recurrence
from heco.programme.hours import validate_opening_hours
from heco.programme.models import Accessibility, Event, Service

SERVICE_FIELDS = frozenset(
    {
        "slug",
        "name",
        "description",
        "kind",
        "organisation",
        "organisation_id",
        "asset",
        "asset_id",
        "opening_hours",
        "prices",
        "booking_contact",
        "booking_url",
        "languages",
        "accessibility",
        "status",
        "is_demo",
    }
)
EVENT_FIELDS = frozenset(
    {
        "slug",
        "title",
        "description",
        "start",
        "end",
        "timezone",
        "all_day",
        "rrule",
        "organisation",
        "organisation_id",
        "asset",
        "asset_id",
        "venue",
        "venue_id",
        "capacity",
        "registration_url",
        "accessibility",
        "audience",
        "status",
        "is_demo",
    }
)


def _require_edit(user, organisation_id) -> None:
    if user is not None and not can_edit_organisation(user, organisation_id):
        raise PermissionDenied(_("You may not edit the records of this organisation."))


def _assign(obj, allowed: frozenset, fields: dict) -> set[str]:
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"Unknown {type(obj).__name__} field(s): {', '.join(sorted(unknown))}")
    for name, value in fields.items():
        setattr(obj, name, value)
    return {name.removesuffix("_id") for name in fields}


def _choice_list(value, field: str, allowed) -> list[str]:
    if value in (None, ""):
        return []
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise ValidationError({field: _("Enter a list of values.")})
    cleaned = list(dict.fromkeys(v.strip() for v in value if v.strip()))
    unknown = [v for v in cleaned if v not in allowed]
    if unknown:
        raise ValidationError(
            {
                field: ValidationError(
                    _("Unknown value(s): %(values)s."),
                    params={"values": ", ".join(unknown)},
                    code="invalid_choice",
                )
            }
        )
    return cleaned


def _language_list(value) -> list[str]:
    if value in (None, ""):
        return []
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise ValidationError({"languages": _("Enter a list of language tags.")})
    out, bad = [], []
    for tag in value:
        normal = normalise_language_tag(tag)
        if normal is None:
            bad.append(tag)
        elif normal not in out:
            out.append(normal)
    if bad:
        raise ValidationError(
            {
                "languages": ValidationError(
                    _("Not a language tag: %(values)s."),
                    params={"values": ", ".join(bad)},
                    code="invalid_language",
                )
            }
        )
    return out


# --------------------------------------------------------------------------------------------
# Services
# --------------------------------------------------------------------------------------------


def _prepare_service(service: Service) -> None:
    errors = {}
    service.opening_hours = (service.opening_hours or "").strip()
    try:
        validate_opening_hours(service.opening_hours)
    except ValidationError as exc:
        errors["opening_hours"] = exc.messages
    for field, check in (
        ("accessibility", lambda v: _choice_list(v, "accessibility", set(Accessibility.values))),
        ("languages", _language_list),
    ):
        try:
            setattr(service, field, check(getattr(service, field)))
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    if not service.slug:
        service.slug = unique_slug(Service, pick(service.name, "en").text, service.pk)


def _after_service_write(service: Service, previous_asset_id=None) -> None:
    reindex_assets({service.asset_id, previous_asset_id} - {None})


def service_create(*, user=None, **fields) -> Service:
    service = Service()
    _assign(service, SERVICE_FIELDS, fields)
    if service.organisation_id is None:
        raise ValidationError({"organisation": _("Choose the providing organisation.")})
    _require_edit(user, service.organisation_id)
    _prepare_service(service)
    service.full_clean()
    with transaction.atomic():
        service.save()
        _after_service_write(service)
    return service


def service_update(*, service: Service, user=None, **fields) -> Service:
    if service.status == Status.DELETED:
        raise ValidationError(_("A deleted record cannot be changed."))
    _require_edit(user, service.organisation_id)
    previous_asset_id = service.asset_id
    changed = _assign(service, SERVICE_FIELDS, fields)
    if "organisation" in changed:
        _require_edit(user, service.organisation_id)
    _prepare_service(service)
    service.full_clean()
    with transaction.atomic():
        service.save()
        _after_service_write(service, previous_asset_id)
    return service


def service_delete(*, service: Service, user=None) -> Service:
    """Tombstone the service (the row stays for feeds and aggregators)."""
    _require_edit(user, service.organisation_id)
    if service.status != Status.DELETED:
        service.tombstone()
        with transaction.atomic():
            service.save(update_fields=["status", "deleted_at", "updated_at"])
            _after_service_write(service)
    return service


# --------------------------------------------------------------------------------------------
# Events
# --------------------------------------------------------------------------------------------


def _prepare_event(event: Event) -> None:
    errors: dict[str, list] = {}
    event.timezone = (event.timezone or "").strip()
    try:
        tz = ZoneInfo(event.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        errors["timezone"] = [
            ValidationError(
                _("“%(value)s” is not a known time zone (e.g. Europe/Vilnius)."),
                params={"value": event.timezone},
                code="invalid_timezone",
            )
        ]
        tz = None
    event.all_day = bool(event.all_day)
    if event.start is None:
        errors["start"] = [_("Give the start date and time.")]
    elif event.end is not None and event.end < event.start:
        errors["end"] = [_("The end must not be before the start.")]
    elif event.all_day and tz is not None:
        # whole days in the event's zone: 00:00 of the first day to 00:00 after the last one
        event.start, event.end = dates.bounds(event.start, event.end, tz)
    try:
        event.accessibility = _choice_list(
            event.accessibility, "accessibility", set(Accessibility.values)
        )
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        event.audience = _choice_list(event.audience, "audience", set(Event.Audience.values))
    except ValidationError as exc:
        errors.update(exc.message_dict)
    event.rrule = recurrence.normalise_rule(event.rrule)
    if event.rrule and tz is not None and event.start is not None:
        try:
            recurrence.build_rule(event.rrule, recurrence._local_naive(event.start, tz), tz)
        except (ValueError, TypeError) as exc:
            errors["rrule"] = [
                ValidationError(
                    _("“%(value)s” is not a recurrence rule we accept: %(reason)s."),
                    params={"value": event.rrule, "reason": str(exc)},
                    code="invalid_rrule",
                )
            ]
    if not errors and event.start is not None:
        try:
            event.last_occurrence = recurrence.last_occurrence(event)
        except ValueError as exc:
            errors["rrule"] = [
                ValidationError(
                    _("“%(value)s” is not a recurrence rule we accept: %(reason)s."),
                    params={"value": event.rrule, "reason": str(exc)},
                    code="invalid_rrule",
                )
            ]
    if errors:
        raise ValidationError(errors)
    if not event.slug:
        event.slug = unique_slug(Event, pick(event.title, "en").text, event.pk)


def _keep_days(event: Event, previous_zone: str) -> None:
    """An all-day event moved to another zone keeps its days (its midnights move)."""
    if not event.all_day or event.start is None:
        return
    try:
        before, after = ZoneInfo(previous_zone), ZoneInfo((event.timezone or "").strip())
    except (ZoneInfoNotFoundError, ValueError):
        return  # an unknown zone is reported by _prepare_event
    first, last = dates.days(event.start, event.end, before)
    event.start, event.end = (
        dates.midnight(first, after),
        dates.midnight(last + dates.ONE_DAY, after),
    )


def _after_event_write(event: Event, previous_asset_id=None) -> None:
    """Events do not feed the asset index today; this is where their side effects go."""


def event_create(*, user=None, **fields) -> Event:
    event = Event()
    _assign(event, EVENT_FIELDS, fields)
    if event.organisation_id is None:
        raise ValidationError({"organisation": _("Choose the organiser.")})
    _require_edit(user, event.organisation_id)
    _prepare_event(event)
    event.full_clean()
    with transaction.atomic():
        event.save()
        _after_event_write(event)
    return event


def event_update(*, event: Event, user=None, **fields) -> Event:
    if event.status == Status.DELETED:
        raise ValidationError(_("A deleted record cannot be changed."))
    _require_edit(user, event.organisation_id)
    previous_asset_id, previous_zone = event.asset_id, event.timezone
    changed = _assign(event, EVENT_FIELDS, fields)
    if "organisation" in changed:
        _require_edit(user, event.organisation_id)
    if "timezone" in changed and not changed & {"start", "end"}:
        _keep_days(event, previous_zone)
    _prepare_event(event)
    event.full_clean()
    with transaction.atomic():
        event.save()
        _after_event_write(event, previous_asset_id)
    return event


def event_delete(*, event: Event, user=None) -> Event:
    """Tombstone the event (the row stays so calendars and feeds can cancel it)."""
    _require_edit(user, event.organisation_id)
    if event.status != Status.DELETED:
        event.tombstone()
        with transaction.atomic():
            event.save(update_fields=["status", "deleted_at", "updated_at"])
            _after_event_write(event)
    return event
