"""Public reads for the site: published records only, bounded, with their relations joined.

Every function here does a fixed number of queries whatever the size of the data.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.core.cache import cache
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.utils import timezone

from heco.core.geo import bbox_around, haversine_km, valid_point
from heco.heritage.models import Asset, Media
from heco.network.models import Community, Organisation
from heco.programme import hours, recurrence
from heco.programme.models import Event, Service

NEARBY_RADIUS_KM = 25
NEARBY_LIMIT = 5
NEARBY_CANDIDATES = 400  # rows read from the bounding box before the exact distance test
MAP_POINTS_LIMIT = 300
OPEN_TODAY_LIMIT = 12
OPEN_TODAY_SCAN = 2000  # services evaluated for "open today"; the list shown is bounded anyway
HORIZON_DAYS = 366  # how far ahead event lists look


def images_prefetch(to_attr: str = "images"):
    return Prefetch(
        "media",
        queryset=Media.objects.filter(kind=Media.Kind.IMAGE).order_by("position", "created_at"),
        to_attr=to_attr,
    )


def published_assets():
    return Asset.objects.published().select_related("organisation", "community")


def asset_cards(queryset=None):
    """Assets ready for a card: organisation, community and images fetched with them."""
    qs = queryset if queryset is not None else published_assets()
    return qs.select_related("organisation", "community").prefetch_related(images_prefetch())


def published_services():
    return Service.objects.published().select_related(
        "organisation", "organisation__community", "asset"
    )


def published_events():
    return Event.objects.published().select_related(
        "organisation", "organisation__community", "asset", "asset__community", "venue"
    )


def asset_page_queryset():
    """Assets (any status: the view tells tombstones from drafts) with what the page shows,
    and whether the asset has services, events and source records at all (``has_services``,
    ``has_events``, ``has_sources``): most have none, and the page then skips those queries
    (an EXISTS costs far less than each of them)."""
    return _assets_with_relations().prefetch_related(
        Prefetch("media", queryset=Media.objects.order_by("position", "created_at")),
        "identifiers",
    )


@functools.cache
def _assets_with_relations():
    """Built once, copied by every use: building the three subqueries cost more than running
    them (a queryset holds no connection and no results until it is evaluated)."""
    from heco.harvest.models import SourceRecord

    return Asset.objects.select_related(
        "organisation", "organisation__community", "community"
    ).annotate(
        has_services=Exists(Service.objects.filter(asset=OuterRef("pk"))),
        has_events=Exists(Event.objects.filter(asset=OuterRef("pk"))),
        has_sources=Exists(SourceRecord.objects.filter(asset=OuterRef("pk"))),
    )


def map_points(queryset=None, limit: int = MAP_POINTS_LIMIT) -> list[dict]:
    """Light rows (one query) for a map: slug, title map, kind, lat, lon."""
    qs = queryset if queryset is not None else Asset.objects.published()
    rows = (
        qs.filter(lat__isnull=False, lon__isnull=False)
        .order_by("-featured", "slug")
        .values("slug", "title", "kind", "lat", "lon", "community__name")[:limit]
    )
    return list(rows)


def asset_url_maker():
    """``url_of(slug)`` -> the asset page's path in the active language, reversing once."""
    from django.urls import reverse

    marker = "0slug0"
    template = reverse("site:asset", kwargs={"slug": marker})
    head, tail = template.split(marker)
    return lambda slug: f"{head}{slug}{tail}"


def nearby_assets(asset: Asset, radius_km: float = NEARBY_RADIUS_KM, limit: int = NEARBY_LIMIT):
    """The ``limit`` nearest published assets within ``radius_km``: bbox pre-filter (index
    asset_latlon) then the exact haversine distance in Python. Returns [(asset, km)].

    The candidates are read as plain rows (slug, lat, lon) and only the nearest are loaded as
    assets: 400 candidate instances with their titles cost 15 ms, most of an asset page."""
    if not valid_point(asset.lat, asset.lon):
        return []
    min_lon, min_lat, max_lon, max_lat = bbox_around(asset.lat, asset.lon, radius_km)
    candidates = (
        Asset.objects.published()
        .filter(lat__gte=min_lat, lat__lte=max_lat, lon__gte=min_lon, lon__lte=max_lon)
        .exclude(pk=asset.pk)
        .values_list("slug", "lat", "lon")[:NEARBY_CANDIDATES]
    )
    found = []
    for slug, lat, lon in candidates:
        km = haversine_km(asset.lat, asset.lon, lat, lon)
        if km <= radius_km:
            found.append((slug, km))
    found.sort(key=lambda pair: pair[1])
    found = found[:limit]
    if not found:
        return []
    nearest = Asset.objects.filter(slug__in=[slug for slug, _km in found]).order_by()
    loaded = {a.slug: a for a in nearest.only("id", "slug", "title", "kind", "lat", "lon")}
    return [(loaded[slug], km) for slug, km in found if slug in loaded]


# --- languages -------------------------------------------------------------------------------

NETWORK_LANGUAGE_CACHE_KEY = "heco:site:network-language:v1"


def network_default_language() -> str:
    """The network's default language: second in the fallback order of language maps
    (requested -> network default -> English -> any). From HECO_DEFAULT_NETWORK, else the first
    network; cached for a few minutes."""
    from django.conf import settings

    from heco.network.models import Network

    code = cache.get(NETWORK_LANGUAGE_CACHE_KEY)
    if code is None:
        networks = Network.objects.order_by("slug")
        if settings.HECO_DEFAULT_NETWORK:
            networks = networks.filter(slug=settings.HECO_DEFAULT_NETWORK)
        code = networks.values_list("default_language", flat=True).first() or "en"
        cache.set(NETWORK_LANGUAGE_CACHE_KEY, code, 300)
    return code


# --- opening hours ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ServiceState:
    """A service's open state, in the place's time zone."""

    is_open: bool
    known: bool
    next_change: dt.datetime | None
    today: dt.date  # the local date at the place when evaluated

    @property
    def changes_today(self) -> bool:
        return bool(self.next_change) and self.next_change.date() == self.today

    @property
    def open_today(self) -> bool:
        """Open now, or opening later today."""
        return self.known and (self.is_open or self.changes_today)


def service_country(service: Service) -> str | None:
    return service.organisation.community.country if service.organisation_id else None


STATE_WINDOW = dt.timedelta(days=8)


def service_state(service: Service, at: dt.datetime | None = None) -> ServiceState | None:
    """Open now or not, and the next change within a week, at the place.

    Evaluated from ``hours.opening_intervals`` over a bounded window: ``hours.state_at`` asks
    the parser for the next change, which scans for years when there is none (an always-open
    place took seconds per call)."""
    if not service.opening_hours:
        return None
    at = at or timezone.now()
    country = service_country(service)
    zone = hours.zone_for_country(country)
    local_now = timezone.localtime(at, zone)
    today = local_now.date()
    if hours.parse(service.opening_hours) is None:
        return ServiceState(False, False, None, today)
    # whole minutes: the parser works at minute precision
    start = local_now.replace(second=0, microsecond=0)
    end = start + STATE_WINDOW
    try:
        intervals = hours.opening_intervals(service.opening_hours, country, start, end)
    except Exception:
        return ServiceState(False, False, None, today)
    merged: list[list[dt.datetime]] = []
    for begin, finish in sorted(intervals):
        if merged and begin <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], finish)
        else:
            merged.append([begin, finish])
    for begin, finish in merged:
        if begin <= start < finish:
            # open; closes at ``finish`` unless it stays open past the window
            return ServiceState(True, True, None if finish >= end else finish, today)
        if begin > start:
            return ServiceState(False, True, begin, today)
    return ServiceState(False, True, None, today)


def with_states(services, at: dt.datetime | None = None):
    """Attach ``.state`` (ServiceState or None) to each service; returns the list."""
    at = at or timezone.now()
    services = list(services)
    for service in services:
        service.state = service_state(service, at)
    return services


def open_today(at: dt.datetime | None = None, limit: int = OPEN_TODAY_LIMIT):
    """Published services open now or opening later today (open ones first, then by time)."""
    at = at or timezone.now()
    rows = list(published_services().exclude(opening_hours="").order_by("slug")[:OPEN_TODAY_SCAN])
    chosen = []
    for service in with_states(rows, at):
        if service.state and service.state.open_today:
            chosen.append(service)
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    chosen.sort(key=lambda s: (not s.state.is_open, s.state.next_change or far))
    return chosen[:limit], len(chosen)


def week_hours(service: Service, at: dt.datetime | None = None):
    """[(date, [(start, end), ...])] for the next seven days at the place."""
    if not service.opening_hours:
        return []
    at = at or timezone.now()
    country = service_country(service)
    zone = hours.zone_for_country(country)
    first = timezone.localtime(at, zone).date()
    start = dt.datetime.combine(first, dt.time.min, zone)
    end = start + dt.timedelta(days=7)
    days = {first + dt.timedelta(days=i): [] for i in range(7)}
    for begin, finish in hours.opening_intervals(service.opening_hours, country, start, end):
        days.setdefault(begin.date(), []).append((begin, finish))
    return [(day, days[day]) for day in sorted(days) if day < first + dt.timedelta(days=7)]


# --- counts ------------------------------------------------------------------------------------

COUNTS_CACHE_KEY = "heco:site:counts:v1"
COUNTS_TTL = 60


def network_counts() -> dict:
    """Aggregate counts for the home page, cached briefly (they are the same for everyone)."""
    counts = cache.get(COUNTS_CACHE_KEY)
    if counts is None:
        now = timezone.now()
        counts = {
            "assets": Asset.objects.published().count(),
            "organisations": Organisation.objects.count(),
            "communities": Community.objects.count(),
            "services": Service.objects.published().count(),
            "events": upcoming_events_queryset(now).count(),
        }
        cache.set(COUNTS_CACHE_KEY, counts, COUNTS_TTL)
    return counts


# --- events and occurrences ----------------------------------------------------------------


@dataclass(frozen=True)
class Occurrence:
    event: Event
    start: dt.datetime  # aware, in the event's time zone
    end: dt.datetime | None


def event_zone(event: Event) -> ZoneInfo:
    try:
        return ZoneInfo(event.timezone or "UTC")
    except Exception:
        return ZoneInfo("UTC")


def upcoming_events_queryset(now: dt.datetime, base=None):
    """Published events that may still have an occurrence after ``now``."""
    qs = base if base is not None else published_events()
    single = Q(rrule="") & (Q(start__gte=now) | Q(end__gte=now))
    recurring = ~Q(rrule="") & (Q(last_occurrence__isnull=True) | Q(last_occurrence__gte=now))
    return qs.filter(single | recurring)


def _as_occurrence(item, fallback_event=None) -> Occurrence:
    if isinstance(item, Occurrence):
        return item
    if isinstance(item, tuple | list):
        if len(item) == 3:
            event, start, end = item
        else:
            event, (start, end) = fallback_event, item
    else:
        event = getattr(item, "event", fallback_event)
        start, end = item.start, getattr(item, "end", None)
    zone = event_zone(event)
    return Occurrence(event, start.astimezone(zone), end.astimezone(zone) if end else None)


def occurrences(event: Event, start: dt.datetime, end: dt.datetime) -> list[Occurrence]:
    items = recurrence.occurrences(event, start, end)
    return [_as_occurrence(item, event) for item in items]


def upcoming_occurrences(queryset, start: dt.datetime, end: dt.datetime, limit: int):
    """Occurrences of the events in ``queryset`` between ``start`` and ``end``, soonest first."""
    # the occurrences are merged by (start, event) in Python: the events' order does not
    # matter, and without the ORDER BY Django compiles this wide query at half the cost
    items = recurrence.upcoming_occurrences(queryset.order_by(), start, end, limit)
    return [_as_occurrence(item) for item in items][:limit]


def upcoming(
    queryset=None,
    limit: int = 10,
    now: dt.datetime | None = None,
    days=HORIZON_DAYS,
    distinct: bool = False,
):
    """Upcoming occurrences, soonest first; ``distinct`` keeps each event once (its next date),
    so a weekly workshop does not fill a short list."""
    now = now or timezone.now()
    qs = upcoming_events_queryset(now, queryset if queryset is not None else None)
    if not distinct:
        return upcoming_occurrences(qs, now, now + dt.timedelta(days=days), limit)
    found = upcoming_occurrences(qs, now, now + dt.timedelta(days=days), limit * 8)
    seen, out = set(), []
    for occ in found:
        if occ.event.pk not in seen:
            seen.add(occ.event.pk)
            out.append(occ)
    return out[:limit]
