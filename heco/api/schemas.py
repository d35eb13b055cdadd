"""Request parameters and response shapes of the read API.

Language maps come back whole (``{"lt": "…", "en": "…"}``, BCP 47 tags). When the request
carries ``lang``, every language-map field ``<name>`` is joined by ``<name>_text`` (the text
picked with the fallback requested → community/network default → English → any) and
``<name>_lang`` (the tag the picked text is actually in, null when the map is empty). Without
``lang`` those two keys are absent.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any, Literal

from django.conf import settings
from ninja import Field, Schema
from pydantic import StringConstraints, create_model

from heco.heritage.models import Asset, Theme
from heco.programme.models import Accessibility, Event, Service

LangCode = Literal[tuple(settings.LANGUAGE_CODES)]  # type: ignore[valid-type]
AssetKind = Literal[tuple(Asset.Kind.values)]  # type: ignore[valid-type]
ThemeValue = Literal[tuple(Theme.values)]  # type: ignore[valid-type]
AccessibilityValue = Literal[tuple(Accessibility.values)]  # type: ignore[valid-type]
AudienceValue = Literal[tuple(Event.Audience.values)]  # type: ignore[valid-type]
ServiceKind = Literal[tuple(Service.Kind.values)]  # type: ignore[valid-type]

SLUG_PATTERN = r"^[-a-zA-Z0-9_]+$"
COUNTRY_PATTERN = r"^[A-Za-z]{2}$"
_NUMBER = r"-?[0-9]{1,3}(\.[0-9]{1,12})?"
BBOX_PATTERN = rf"^{_NUMBER},{_NUMBER},{_NUMBER},{_NUMBER}$"
_YEAR = r"-?[0-9]{1,4}"
PERIOD_PATTERN = rf"^(({_YEAR})?-({_YEAR})?|[0-9]{{1,4}})$"
Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, max_length=120)]
Country = Annotated[str, StringConstraints(pattern=COUNTRY_PATTERN)]
MAX_LIMIT = 100
MAX_RADIUS_KM = 500

LANG_DESCRIPTION = (
    "Resolve every language map into this language: adds `<field>_text` (picked with the "
    "fallback requested → community/network default → en → any) and `<field>_lang` (the "
    "language actually used) next to each language-map field. Also the language of `url`. "
    f"One of {', '.join(settings.LANGUAGE_CODES)}."
)


# --- request parameters ------------------------------------------------------------------


class PageParams(Schema):
    limit: int = Field(20, ge=1, le=MAX_LIMIT, description=f"Page size, 1–{MAX_LIMIT}.")
    offset: int = Field(
        0, ge=0, description="Items to skip. Past the end the page is simply empty."
    )


class LangParams(Schema):
    lang: LangCode | None = Field(None, description=LANG_DESCRIPTION)


class AssetFilters(Schema):
    """Filters shared by ``/assets`` and ``/search``; repeat a parameter for several values."""

    q: str | None = Field(
        None,
        max_length=200,
        pattern=r"^[^\x00-\x1f\x7f]*$",
        description="Full-text query (diacritics ignored; the last word matches as a prefix).",
    )
    country: list[Country] | None = Field(
        None, description="ISO 3166-1 alpha-2 code of the asset's community country (repeatable)."
    )
    community: list[Slug] | None = Field(None, description="Community slug (repeatable).")
    organisation: list[Slug] | None = Field(
        None, description="Managing organisation slug (repeatable)."
    )
    kind: list[AssetKind] | None = Field(None, description="Asset kind (repeatable).")
    theme: list[ThemeValue] | None = Field(None, description="Theme (repeatable).")
    bbox: str | None = Field(
        None,
        max_length=200,
        pattern=BBOX_PATTERN,
        description="Bounding box `minLon,minLat,maxLon,maxLat` in WGS84 degrees, "
        "e.g. `20.9,55.0,26.9,56.5`; minLon ≤ maxLon, minLat ≤ maxLat.",
    )
    lat: float | None = Field(
        None, ge=-90, le=90, allow_inf_nan=False, description="Latitude of the centre (with lon)."
    )
    lon: float | None = Field(
        None,
        ge=-180,
        le=180,
        allow_inf_nan=False,
        description="Longitude of the centre (with lat).",
    )
    radius: float | None = Field(
        None,
        gt=0,
        le=MAX_RADIUS_KM,
        allow_inf_nan=False,
        description=f"Radius around lat/lon in km, up to {MAX_RADIUS_KM} (default 10).",
    )
    period: str | None = Field(
        None,
        max_length=20,
        pattern=PERIOD_PATTERN,
        description="Years the asset's dating overlaps: `1500-1700`, open-ended `1500-` or "
        "`-1700`, one year `1600`; negative years before the common era (`-500-100`).",
    )
    accessibility: list[AccessibilityValue] | None = Field(
        None,
        description="Accessibility offered by one of the asset's published services "
        "(repeatable: any of the values).",
    )
    open_now: bool = Field(
        False, description="Only assets where a published service is open right now."
    )


class ServiceFilters(Schema):
    """Filters of ``/services``; repeat a parameter for several values."""

    organisation: list[Slug] | None = Field(
        None, description="Provider organisation slug (repeatable)."
    )
    community: list[Slug] | None = Field(
        None,
        description="Community slug (repeatable): the community of the asset where the "
        "service takes place, or of the provider when it has no place.",
    )
    kind: list[ServiceKind] | None = Field(None, description="Service kind (repeatable).")
    asset: list[Slug] | None = Field(
        None, description="Slug or id of the published asset where it takes place (repeatable)."
    )


WHEN_DESCRIPTION = (
    "ISO 8601 date (`2025-06-01`) or date-time (`2025-06-01T18:00`, `…Z`, `…+02:00`); "
    "without an offset in the network's time zone."
)


class EventFilters(Schema):
    """Filters of ``/events`` and ``/events/occurrences``; repeat a parameter for several
    values."""

    from_: str | None = Field(
        None,
        alias="from",
        max_length=40,
        description=f"Occurrences ending after this moment. {WHEN_DESCRIPTION}",
    )
    to: str | None = Field(
        None,
        max_length=40,
        description="Occurrences starting before this moment (a date: up to the end of that "
        f"day). {WHEN_DESCRIPTION}",
    )
    organisation: list[Slug] | None = Field(
        None, description="Organiser or host (venue) organisation slug (repeatable)."
    )
    community: list[Slug] | None = Field(
        None,
        description="Community slug (repeatable): of the asset where the event takes place, "
        "else of the venue, else of the organiser.",
    )
    audience: list[AudienceValue] | None = Field(None, description="Audience (repeatable).")


# --- response shapes ---------------------------------------------------------------------


def _language_map_fields(*names: str) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for name in names:
        fields[name] = (
            dict[str, str],
            Field(default_factory=dict, description="Language map: BCP 47 tag → text."),
        )
        fields[f"{name}_text"] = (
            str | None,
            Field(None, description=f"Only with `lang`: `{name}` resolved with fallback."),
        )
        fields[f"{name}_lang"] = (
            str | None,
            Field(None, description=f"Only with `lang`: the language `{name}_text` is in."),
        )
    return fields


def with_language_maps(name: str, base: type[Schema], *fields: str, doc: str = "") -> type:
    """A schema class with ``<field>``, ``<field>_text`` and ``<field>_lang`` for each field."""
    return create_model(
        name, __base__=base, __doc__=doc or base.__doc__, **_language_map_fields(*fields)
    )


class _Identity(Schema):
    id: uuid.UUID
    slug: str
    url: str = Field(description="Absolute URL of the public page (in `lang`, default en).")


Ref = with_language_maps("Ref", _Identity, "name", doc="A linked record.")


class _CommunityBase(_Identity):
    kind: str
    country: str = Field(description="ISO 3166-1 alpha-2.")
    parent: Ref | None = None
    default_language: str
    lat: float | None = None
    lon: float | None = None


CommunityOut = with_language_maps(
    "Community", _CommunityBase, "name", "description", doc="A locality, municipality or region."
)


class _OrganisationBase(_Identity):
    kind: str
    community: Ref
    country: str = Field(description="ISO 3166-1 alpha-2, from the community.")
    address: str
    lat: float | None = None
    lon: float | None = None
    website: str
    email: str
    phone: str
    isil: str


OrganisationOut = with_language_maps(
    "Organisation", _OrganisationBase, "name", "description", doc="An institution or partner."
)


class _NetworkBase(_Identity):
    default_language: str
    website: str
    organisations: list[Ref]


NetworkOut = with_language_maps(
    "Network", _NetworkBase, "name", "description", doc="A network of organisations."
)


class _AssetBase(_Identity):
    kind: str
    themes: list[str]
    tags: list[str]
    organisation: Ref
    community: Ref
    country: str = Field(description="ISO 3166-1 alpha-2, from the community.")
    address: str
    lat: float | None = None
    lon: float | None = None
    dating: str = Field(description="EDTF date string.")
    start_year: int | None = None
    end_year: int | None = None
    condition: str
    featured: bool
    published_at: dt.datetime | None = None
    updated_at: dt.datetime


AssetItem = with_language_maps(
    "AssetItem", _AssetBase, "title", "summary", "designation", doc="A heritage asset."
)


class IdentifierOut(Schema):
    scheme: str
    value: str
    url: str


class _MediaBase(Schema):
    kind: str
    url: str = Field(description="Absolute URL of the file, or the link for video links.")
    preview_url: str = Field(description="Absolute URL of an 800px rendition when there is one.")
    rights: str = Field(description="rightsstatements.org or Creative Commons URI.")
    credit: str
    width: int | None = None
    height: int | None = None


MediaOut = with_language_maps("Media", _MediaBase, "alt_text", "caption", doc="A media item.")


class _AssetDetailBase(AssetItem):  # type: ignore[valid-type, misc]
    geometry: dict | None = Field(None, description="GeoJSON geometry.")
    identifiers: list[IdentifierOut]
    media: list[MediaOut]


AssetDetail = with_language_maps(
    "AssetDetail", _AssetDetailBase, "description", doc="A heritage asset with its media."
)


class _ServiceBase(_Identity):
    kind: str
    organisation: Ref
    asset: Ref | None = Field(None, description="Where it takes place (published assets only).")
    opening_hours: str = Field(description="OpenStreetMap opening_hours syntax.")
    booking_contact: str
    booking_url: str
    languages: list[str]
    accessibility: list[str]
    updated_at: dt.datetime


ServiceOut = with_language_maps(
    "Service", _ServiceBase, "name", "description", "prices", doc="A cultural service."
)


ALL_DAY = (
    "Whole days, without times: start is 00:00 of the first day and end 00:00 of the day "
    "after the last one (exclusive, as iCalendar's DTEND;VALUE=DATE), in the event's time zone."
)


class _EventBase(_Identity):
    start: dt.datetime
    end: dt.datetime | None = None
    timezone: str
    all_day: bool = Field(description=ALL_DAY)
    rrule: str = Field(description="RFC 5545 recurrence rule, empty for one-off events.")
    organisation: Ref
    asset: Ref | None = Field(None, description="Place (published assets only).")
    venue: Ref | None = Field(None, description="Place (organisation).")
    capacity: int | None = None
    registration_url: str
    accessibility: list[str]
    audience: list[str]
    updated_at: dt.datetime


EventOut = with_language_maps("Event", _EventBase, "title", "description", doc="An event.")
EventRef = with_language_maps("EventRef", _Identity, "title", doc="The event of an occurrence.")


class OccurrenceOut(Schema):
    event: EventRef  # type: ignore[valid-type]
    start: dt.datetime = Field(description="Start, in the event's time zone.")
    end: dt.datetime | None = Field(None, description="End, in the event's time zone.")
    timezone: str
    all_day: bool = Field(description=ALL_DAY)


def page_of(name: str, item: type) -> type:
    return create_model(
        name,
        __base__=Schema,
        items=(list[item], ...),  # type: ignore[valid-type]
        count=(int, Field(description="Number of matching records.")),
    )


CommunityPage = page_of("CommunityPage", CommunityOut)
OrganisationPage = page_of("OrganisationPage", OrganisationOut)
NetworkPage = page_of("NetworkPage", NetworkOut)
AssetPage = page_of("AssetPage", AssetItem)
ServicePage = page_of("ServicePage", ServiceOut)
EventPage = page_of("EventPage", EventOut)
OccurrencePage = page_of("OccurrencePage", OccurrenceOut)


class FacetOut(Schema):
    value: str
    count: int


class SearchOut(Schema):
    items: list[AssetItem]  # type: ignore[valid-type]
    count: int
    count_exact: bool = Field(description="False when `count` is an estimate.")
    facets: dict[str, list[FacetOut]] = Field(
        description="Per facet (country, community, organisation, kind, theme, …) its values "
        "with counts, most frequent first."
    )
    facets_exact: bool = Field(description="False when facet counts are estimates.")


class Gone(Schema):
    id: uuid.UUID
    status: Literal["deleted"]


class Message(Schema):
    detail: str


class ErrorItem(Schema):
    loc: list[str | int] = Field(description='Where, e.g. ["query", "country", 0].')
    msg: str
    type: str


class ValidationErrors(Schema):
    detail: list[ErrorItem]
