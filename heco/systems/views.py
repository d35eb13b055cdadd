"""Public pages of the systems: routes, passes, the shared calendar, the service map, and
the iCalendar feeds. Every view does a fixed number of queries."""

from __future__ import annotations

import datetime as dt
import hashlib
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.validators import slug_re
from django.db.models import Q
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from heco.core.cache import public_page, read_only
from heco.core.langmap import pick
from heco.heritage.models import Asset
from heco.network.models import Community, Network, Organisation
from heco.programme.models import Event, Service
from heco.site.views.common import (
    Gone,
    bad_request,
    country_name,
    gone,
    lang,
    public_record,
)
from heco.site.views.programme import month_link
from heco.systems import exports, ical, routing, selectors, service_map, shared_calendar
from heco.systems.forms import CalendarFilterForm, ServiceMapForm
from heco.systems.print import route_pdf

# --- routes ---------------------------------------------------------------------------------


def stop_url(stop, request=None) -> str:
    """The public page of what a stop points at ("" for a plain place or unpublished record)."""
    if stop.asset is not None and stop.asset.status == "published":
        path = reverse("site:asset", kwargs={"slug": stop.asset.slug})
    elif stop.service is not None and stop.service.status == "published":
        path = reverse("site:service", kwargs={"slug": stop.service.slug})
    elif stop.place_organisation is not None:
        path = reverse("site:organisation", kwargs={"slug": stop.place_organisation.slug})
    else:
        return ""
    return request.build_absolute_uri(path) if request is not None else path


def _route(slug):
    try:
        return public_record(selectors.route_queryset(), slug)
    except Gone:
        return None


def _route_or_gone(request, slug):
    route = _route(slug)
    if route is None:
        return None, gone(request, _("This route has been removed."))
    return route, None


def _map_data(route_plan, lang_code, request=None) -> dict:
    points = []
    for number, stop in enumerate(route_plan.located_stops, start=1):
        lat, lon = stop.point()
        points.append(
            {
                "lat": lat,
                "lon": lon,
                "n": number,
                "title": f"{number}. {stop.display_name(lang_code).text}",
                "url": stop_url(stop),
            }
        )
    return {"points": points, "line": [[p["lat"], p["lon"]] for p in points]}


@public_page
def route_list(request):
    routes = selectors.published_routes()
    items = [(route, routing.plan(route)) for route in routes]
    return render(request, "systems/route_list.html", {"items": items})


@public_page
def route_detail(request, slug):
    route, response = _route_or_gone(request, slug)
    if response:
        return response
    code = lang()
    route_plan = routing.plan(route)
    stops = []
    number = 0
    for stop in route_plan.stops:
        located = stop.point() is not None
        number += 1 if located else 0
        stops.append(
            {
                "stop": stop,
                "number": number if located else None,
                "url": stop_url(stop),
                "dwell": routing.dwell_for(stop, route.mode),
                "country": country_name(stop.country(), code) if stop.country() else "",
            }
        )
    legs = {leg.end.pk: leg.km for leg in route_plan.legs}
    for item in stops:
        item["leg_km"] = legs.get(item["stop"].pk)
    context = {
        "route": route,
        "plan": route_plan,
        "stops": stops,
        "map_data": _map_data(route_plan, code),
        "speed": routing.SPEED_KMH[route.mode],
        "default_dwell": routing.DEFAULT_DWELL_MINUTES[route.mode],
        "partners": list(route.partners.all()),
        "countries": [country_name(c, code) for c in route_plan.countries],
    }
    return render(request, "systems/route_detail.html", context)


@public_page
def route_print(request, slug):
    route, response = _route_or_gone(request, slug)
    if response:
        return response
    route_plan = routing.plan(route)
    stops = [
        {"stop": stop, "dwell": routing.dwell_for(stop, route.mode)} for stop in route_plan.stops
    ]
    context = {
        "route": route,
        "plan": route_plan,
        "stops": stops,
        "speed": routing.SPEED_KMH[route.mode],
    }
    return render(request, "systems/route_print.html", context)


def _export_urls(request, route, route_plan):
    url = request.build_absolute_uri(reverse("systems:route", kwargs={"slug": route.slug}))
    stop_urls = {stop.pk: stop_url(stop, request) for stop in route_plan.stops}
    return url, stop_urls


@read_only
def route_gpx(request, slug):
    route, response = _route_or_gone(request, slug)
    if response:
        return response
    route_plan = routing.plan(route)
    url, stop_urls = _export_urls(request, route, route_plan)
    body = exports.route_gpx(route, route_plan, lang=lang(), url=url, stop_urls=stop_urls)
    response = HttpResponse(body, content_type="application/gpx+xml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{route.slug}.gpx"'
    return response


@read_only
def route_geojson(request, slug):
    route, response = _route_or_gone(request, slug)
    if response:
        return response
    route_plan = routing.plan(route)
    url, stop_urls = _export_urls(request, route, route_plan)
    data = exports.route_geojson(route, route_plan, lang=lang(), url=url, stop_urls=stop_urls)
    return JsonResponse(
        data, content_type="application/geo+json", json_dumps_params={"ensure_ascii": False}
    )


@read_only
def route_pdf_view(request, slug):
    route, response = _route_or_gone(request, slug)
    if response:
        return response
    size = request.GET.get("size", "A4").upper()
    if size not in ("A4", "A5"):
        return bad_request(
            request,
            "systems/route_detail.html",
            {"route": route, "plan": routing.plan(route), "stops": []},
            [gettext("Choose A4 or A5.")],
        )
    pdf = route_pdf(route, lang(), size)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="route-{route.slug}-{lang()}.pdf"'
    return response


# --- passes ---------------------------------------------------------------------------------


@public_page
def pass_list(request):
    return render(request, "systems/pass_list.html", {"passes": selectors.published_passes()})


@public_page
def pass_detail(request, slug):
    try:
        heritage_pass = public_record(selectors.pass_queryset(), slug)
    except Gone:
        return gone(request, _("This heritage pass has been withdrawn."))
    benefits = list(heritage_pass.benefits.all())
    points = []
    for benefit in benefits:
        point = benefit.point()
        if point is None:
            continue
        place = benefit.asset if benefit.asset and benefit.asset.status == "published" else None
        title = pick(benefit.organisation.name).text
        if place is not None:
            title = f"{pick(place.title).text} – {title}"
        url = reverse(
            "site:asset" if place else "site:organisation",
            kwargs={"slug": place.slug if place else benefit.organisation.slug},
        )
        points.append({"lat": point[0], "lon": point[1], "title": title, "url": url})
    today = timezone.localdate()
    countries = sorted({country_name(b.organisation.community.country, lang()) for b in benefits})
    context = {
        "pass": heritage_pass,
        "benefits": benefits,
        "map_data": points,
        "is_valid": heritage_pass.is_valid_on(today),
        "not_yet": heritage_pass.valid_from is not None and today < heritage_pass.valid_from,
        "organisation_count": len({b.organisation_id for b in benefits}),
        "countries": countries,
    }
    return render(request, "systems/pass_detail.html", context)


# --- shared calendar ------------------------------------------------------------------------


@public_page
def network_calendar(request):
    form = CalendarFilterForm(request.GET)
    zone = ZoneInfo(settings.TIME_ZONE)
    today = timezone.localtime(timezone.now(), zone).date()
    context = {
        "form": form,
        "today": today,
        "communities": _calendar_communities(),
        "organisations": _calendar_organisations(),
    }
    if not form.is_valid():
        context.update({"days": [], "month_start": today.replace(day=1)})
        return bad_request(request, "systems/calendar.html", context, form.error_list())
    data = form.cleaned_data
    year, month = data["month"] or (today.year, today.month)
    filters = shared_calendar.Filters(
        year=year,
        month=month,
        community=data["community"],
        organisation=data["organisation"],
        audience=data["audience"],
        accessibility=data["accessibility"],
    )
    found, truncated = shared_calendar.month_occurrences(filters)
    feed = reverse("systems_feeds:events")
    if data["organisation"] is not None:
        feed = reverse("systems_feeds:organisation", kwargs={"slug": data["organisation"].slug})
    elif data["community"] is not None:
        feed = reverse("systems_feeds:community", kwargs={"slug": data["community"].slug})
    context.update(
        {
            "days": shared_calendar.by_day(found),
            "count": len(found),
            "truncated": truncated,
            "month_start": dt.date(year, month, 1),
            "prev_month": month_link(year, month, -1),  # None past the accepted range
            "next_month": month_link(year, month, 1),
            "filters": filters,
            "has_filters": any(
                data[k] for k in ("community", "organisation", "audience", "accessibility")
            ),
            "feed_url": request.build_absolute_uri(feed),
            "webcal_url": request.build_absolute_uri(feed).replace("http", "webcal", 1),
        }
    )
    return render(request, "systems/calendar.html", context)


def _calendar_organisations():
    return list(Organisation.objects.only("slug", "name").order_by("slug")[:1000])


def _calendar_communities():
    return list(
        Community.objects.exclude(kind=Community.Kind.COUNTRY)
        .only("slug", "name", "country", "default_language")
        .order_by("country", "slug")[:500]
    )


# --- service map ----------------------------------------------------------------------------


@public_page
def service_map_view(request):
    form = ServiceMapForm(request.GET)
    kinds = list(Service.Kind.choices)
    context = {"form": form, "kinds": kinds}
    if not form.is_valid():
        context.update({"rows": [], "radius": service_map.DEFAULT_RADIUS_KM})
        return bad_request(request, "systems/service_map.html", context, form.error_list())
    radius = form.cleaned_data["radius"]
    country = form.cleaned_data["country"]
    communities = service_map.load_communities()
    countries = sorted({c.country for c in communities})
    if country:
        communities = [c for c in communities if c.country == country]
    rows = service_map.compute(radius_km=radius, communities=communities)
    points = []
    for row in rows:
        if not row.placed:  # in the table (marked), not on the map
            continue
        name = pick(row.community.name, None, row.community.default_language).text
        gaps = len(row.gaps)
        label = (
            gettext("%(name)s: no gaps") % {"name": name}
            if not gaps
            else gettext("%(name)s: %(count)d kinds missing") % {"name": name, "count": gaps}
        )
        points.append(
            {
                "lat": row.community.lat,
                "lon": row.community.lon,
                "title": label,
                "url": f"#community-{row.community.slug}",
            }
        )
    context.update(
        {
            "rows": rows,
            "radius": radius,
            "country": country,
            "countries": countries,
            "map_data": points,
            "unplaced_count": sum(1 for row in rows if not row.placed),
            "gap_total": sum(len(row.gaps) for row in rows),
        }
    )
    return render(request, "systems/service_map.html", context)


# --- iCalendar feeds ------------------------------------------------------------------------


def _feed_lang(request) -> str:
    code = (request.GET.get("lang") or "").strip().lower()
    return code if code in settings.LANGUAGE_CODES else settings.LANGUAGE_CODE


def _ics_response(request, queryset, name_map, default=None):
    code = _feed_lang(request)
    events = ical.feed_events(queryset)
    name = pick(name_map, code, default).text
    body = ical.build_calendar(
        events, name=name, lang=code, feed_url=request.build_absolute_uri(request.path)
    )
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="events.ics"'
    response["Cache-Control"] = "public, max-age=900"
    response["ETag"] = etag
    # calendar apps poll: answer 304 Not Modified when they already hold this feed
    return get_conditional_response(request, etag=etag, response=response)


@read_only
def feed_events(request):
    """All published events; ``?network=<slug>`` for one network's organisations."""
    qs = Event.objects.all()
    name = {"en": "HE.CO Hub events"}
    network_slug = request.GET.get("network")
    if network_slug:
        if not slug_re.match(network_slug):  # never a slug (PostgreSQL refuses a NUL)
            raise Http404("no such network")
        network = get_object_or_404(Network, slug=network_slug)
        qs = qs.filter(organisation__networks=network)
        name = network.name
    return _ics_response(request, qs, name)


@read_only
def feed_community(request, slug):
    community = get_object_or_404(Community, slug=slug)
    qs = Event.objects.filter(
        Q(asset__community=community)
        | Q(asset__isnull=True, venue__community=community)
        | Q(asset__isnull=True, venue__isnull=True, organisation__community=community)
    )
    return _ics_response(request, qs, community.name, community.default_language)


@read_only
def feed_organisation(request, slug):
    organisation = get_object_or_404(Organisation.objects.select_related("community"), slug=slug)
    qs = Event.objects.filter(Q(organisation=organisation) | Q(venue=organisation))
    return _ics_response(request, qs, organisation.name, organisation.community.default_language)


@read_only
def feed_asset(request, slug):
    asset = Asset.objects.select_related("community").filter(slug=slug).first()
    if asset is None or asset.status != "published":
        raise Http404(gettext("No such page."))
    return _ics_response(
        request, Event.objects.filter(asset=asset), asset.title, asset.community.default_language
    )
