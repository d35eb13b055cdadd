"""schema.org JSON-LD for public records: plain functions returning dicts.

Each builder takes the record, the absolute base URL of the site (``https://hub.example``) and
the language to describe it in; the page templates embed the result, and content negotiation
can return it as ``application/ld+json``. Texts in a language map are given in the requested
language (with the usual fallback), and names also in every language the record has.
"""

from __future__ import annotations

from django.utils import translation

from heco.core.langmap import pick
from heco.heritage.models import Asset
from heco.network.models import Organisation
from heco.programme import recurrence
from heco.programme.dates import schema_dates
from heco.site.reversing import cached_reverse

CONTEXT = "https://schema.org"

ASSET_TYPES = {
    Asset.Kind.BUILDING: "LandmarksOrHistoricalBuildings",
    Asset.Kind.MONUMENT: "LandmarksOrHistoricalBuildings",
    Asset.Kind.ARCHAEOLOGICAL_SITE: "LandmarksOrHistoricalBuildings",
    Asset.Kind.LANDSCAPE: "TouristAttraction",
    Asset.Kind.NATURAL: "TouristAttraction",
    Asset.Kind.MOVABLE_OBJECT: "CreativeWork",
    Asset.Kind.DOCUMENT: "CreativeWork",
}
ORGANISATION_TYPES = {
    Organisation.Kind.MUSEUM: "Museum",
    Organisation.Kind.LIBRARY: "Library",
    Organisation.Kind.ARCHIVE: "ArchiveOrganization",
    Organisation.Kind.HERITAGE_SITE: "LandmarksOrHistoricalBuildings",
    Organisation.Kind.SCHOOL: "EducationalOrganization",
    Organisation.Kind.ACADEMY: "EducationalOrganization",
    Organisation.Kind.MUNICIPALITY: "GovernmentOrganization",
    Organisation.Kind.BUSINESS: "LocalBusiness",
    Organisation.Kind.ASSOCIATION: "NGO",
}
# schema.org types that are places (they take geo, address, openingHours)
PLACE_TYPES = {
    "LandmarksOrHistoricalBuildings",
    "TouristAttraction",
    "Museum",
    "Library",
    "Place",
    "LocalBusiness",
}


def asset_type(asset: Asset) -> str:
    """The schema.org type of an asset: by its kind, and for collections by the kind of the
    organisation that keeps them (a museum's collection is described as that Museum)."""
    if asset.kind in ASSET_TYPES:
        return ASSET_TYPES[asset.kind]
    if asset.kind == Asset.Kind.COLLECTION:
        org_type = ORGANISATION_TYPES.get(asset.organisation.kind)
        if org_type in {"Museum", "Library", "ArchiveOrganization"}:
            return org_type
    return "Place"


def organisation_type(organisation: Organisation) -> str:
    return ORGANISATION_TYPES.get(organisation.kind, "Organization")


def _url(base_url: str, lang: str, name: str, slug: str) -> str:
    with translation.override(lang):
        return base_url.rstrip("/") + cached_reverse(name, kwargs={"slug": slug})


def _text(value, lang: str) -> str:
    """Text in ``lang``, else the network's default language, else English, else any."""
    from heco.site.selectors import network_default_language

    return pick(value or {}, lang, network_default_language()).text


def _all_languages(value) -> list[dict]:
    return [{"@language": k, "@value": v} for k, v in sorted((value or {}).items()) if v]


def geo(lat, lon) -> dict | None:
    if lat is None or lon is None:
        return None
    return {"@type": "GeoCoordinates", "latitude": lat, "longitude": lon}


def _address(address: str, country: str | None) -> dict | None:
    if not address and not country:
        return None
    data = {"@type": "PostalAddress"}
    if address:
        data["streetAddress"] = address
    if country:
        data["addressCountry"] = country
    return data


def _clean(data: dict) -> dict:
    return {k: v for k, v in data.items() if v not in (None, "", [], {})}


def organisation_jsonld(org: Organisation, *, base_url: str, lang: str, nested=False) -> dict:
    kind = organisation_type(org)
    community = org.community
    data = {
        "@type": kind,
        "@id": _url(base_url, lang, "site:organisation", org.slug) + "#id",
        "name": _text(org.name, lang),
        "url": _url(base_url, lang, "site:organisation", org.slug),
    }
    if not nested:
        data = {"@context": CONTEXT, **data}
        data["alternateName"] = _all_languages(org.name)
        data["description"] = _text(org.description, lang)
        data["sameAs"] = [org.website] if org.website else []
        data["email"] = org.email
        data["telephone"] = org.phone
    if kind in PLACE_TYPES or kind == "ArchiveOrganization" or not nested:
        data["address"] = _address(org.address, community.country)
        if kind in PLACE_TYPES:
            data["geo"] = geo(org.lat, org.lon)
        else:
            data["location"] = (
                _clean(
                    {"@type": "Place", "geo": geo(org.lat, org.lon), "address": data.pop("address")}
                )
                or None
            )
    return _clean(data)


def community_jsonld(community, *, base_url: str, lang: str) -> dict:
    return _clean(
        {
            "@context": CONTEXT,
            "@type": "Place",
            "@id": _url(base_url, lang, "site:community", community.slug) + "#id",
            "name": _text(community.name, lang),
            "alternateName": _all_languages(community.name),
            "description": _text(community.description, lang),
            "url": _url(base_url, lang, "site:community", community.slug),
            "geo": geo(community.lat, community.lon),
            "address": _address("", community.country),
            "containedInPlace": (
                {"@type": "Country", "identifier": community.country} if community.country else None
            ),
        }
    )


def network_jsonld(network, *, base_url: str, lang: str, organisations=()) -> dict:
    return _clean(
        {
            "@context": CONTEXT,
            "@type": "Organization",
            "@id": _url(base_url, lang, "site:network", network.slug) + "#id",
            "name": _text(network.name, lang),
            "alternateName": _all_languages(network.name),
            "description": _text(network.description, lang),
            "url": _url(base_url, lang, "site:network", network.slug),
            "sameAs": [network.website] if network.website else [],
            "member": [
                organisation_jsonld(org, base_url=base_url, lang=lang, nested=True)
                for org in organisations
            ],
        }
    )


def asset_place(asset: Asset, *, base_url: str, lang: str) -> dict:
    """A compact description of an asset as a place (for an event's location)."""
    return _clean(
        {
            "@type": "Place",
            "@id": _url(base_url, lang, "site:asset", asset.slug) + "#id",
            "name": _text(asset.title, lang),
            "url": _url(base_url, lang, "site:asset", asset.slug),
            "address": _address(asset.address, asset.community.country),
            "geo": geo(asset.lat, asset.lon),
        }
    )


def asset_jsonld(asset: Asset, *, base_url: str, lang: str, images=(), services=()) -> dict:
    kind = asset_type(asset)
    url = _url(base_url, lang, "site:asset", asset.slug)
    data = {
        "@context": CONTEXT,
        "@type": kind,
        "@id": url + "#id",
        "url": url,
        "name": _text(asset.title, lang),
        "alternateName": _all_languages(asset.title),
        "description": _text(asset.summary, lang) or _text(asset.description, lang),
        "identifier": [
            {"@type": "PropertyValue", "propertyID": ident.scheme, "value": ident.value}
            for ident in asset.identifiers.all()
        ],
        "sameAs": [ident.url for ident in asset.identifiers.all() if ident.url],
        "image": [
            _clean(
                {
                    "@type": "ImageObject",
                    "contentUrl": base_url.rstrip("/") + media.rendition_url("800")
                    if media.rendition_url("800").startswith("/")
                    else media.rendition_url("800"),
                    "license": media.rights,
                    "creditText": media.credit,
                    "caption": _text(media.alt_text, lang),
                }
            )
            for media in images
        ],
        "keywords": ", ".join(asset.tags) if asset.tags else None,
        "temporalCoverage": asset.dating or None,
    }
    organisation = organisation_jsonld(
        asset.organisation, base_url=base_url, lang=lang, nested=True
    )
    if kind == "CreativeWork":
        data["holdingArchive" if asset.kind == Asset.Kind.DOCUMENT else "sourceOrganization"] = (
            organisation
        )
        data["contentLocation"] = _clean(
            {
                "@type": "Place",
                "geo": geo(asset.lat, asset.lon),
                "address": _address(asset.address, asset.community.country),
            }
        )
    elif kind in PLACE_TYPES:
        data["geo"] = geo(asset.lat, asset.lon)
        data["address"] = _address(asset.address, asset.community.country)
        data["publicAccess"] = True if services else None
        data["containedInPlace"] = _clean(
            {
                "@type": "Place",
                "name": _text(asset.community.name, lang),
                "url": _url(base_url, lang, "site:community", asset.community.slug),
            }
        )
        hours_list = [s.opening_hours for s in services if s.opening_hours]
        data["openingHours"] = hours_list
        data["maintainer"] = organisation
    else:
        data["parentOrganization"] = organisation
    return _clean(data)


def event_jsonld(event, *, base_url: str, lang: str, start=None, end=None) -> dict:
    """An Event; ``start``/``end`` give one occurrence of a recurring event."""
    community = event.organisation.community
    if start is None:
        zone = recurrence.zone(event.timezone or "UTC")
        start, end = event.start.astimezone(zone), event.end.astimezone(zone) if event.end else None
    if event.all_day:  # dates without times, the end naming the last day
        start_date, end_date = schema_dates(start, end)
    else:
        start_date, end_date = start.isoformat(), end.isoformat() if end else None
    if event.asset_id:
        location = asset_place(event.asset, base_url=base_url, lang=lang)
    elif event.venue_id:
        location = organisation_jsonld(event.venue, base_url=base_url, lang=lang, nested=True)
        location.setdefault("address", _address(event.venue.address, community.country))
    else:
        location = _clean({"@type": "Place", "address": _address("", community.country)})
    return _clean(
        {
            "@context": CONTEXT,
            "@type": "Event",
            "@id": _url(base_url, lang, "site:event", event.slug) + "#id",
            "url": _url(base_url, lang, "site:event", event.slug),
            "name": _text(event.title, lang),
            "alternateName": _all_languages(event.title),
            "description": _text(event.description, lang),
            "startDate": start_date,
            "endDate": end_date,
            "eventStatus": "https://schema.org/EventScheduled",
            "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
            "location": location,
            "organizer": organisation_jsonld(
                event.organisation, base_url=base_url, lang=lang, nested=True
            ),
            "maximumAttendeeCapacity": event.capacity,
            "offers": (
                {"@type": "Offer", "url": event.registration_url}
                if event.registration_url
                else None
            ),
        }
    )


def service_jsonld(service, *, base_url: str, lang: str) -> dict:
    data = {
        "@context": CONTEXT,
        "@type": "Service",
        "@id": _url(base_url, lang, "site:service", service.slug) + "#id",
        "url": _url(base_url, lang, "site:service", service.slug),
        "name": _text(service.name, lang),
        "alternateName": _all_languages(service.name),
        "description": _text(service.description, lang),
        "serviceType": str(service.get_kind_display()),
        "provider": organisation_jsonld(
            service.organisation, base_url=base_url, lang=lang, nested=True
        ),
        "availableLanguage": list(service.languages or []),
    }
    if service.asset_id:
        place = asset_place(service.asset, base_url=base_url, lang=lang)
        if service.opening_hours:
            place["openingHours"] = service.opening_hours
        data["availableChannel"] = _clean(
            {"@type": "ServiceChannel", "serviceLocation": place, "serviceUrl": service.booking_url}
        )
    return _clean(data)
