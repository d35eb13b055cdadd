"""Asset -> schema.org JSON-LD, with language-tagged values for every language we hold."""

from __future__ import annotations

from heco.heritage.models import Asset, Media

from . import common
from .edm import kind_labels

SCHEMA_TYPES = {
    Asset.Kind.BUILDING: "LandmarksOrHistoricalBuildings",
    Asset.Kind.MONUMENT: "LandmarksOrHistoricalBuildings",
    Asset.Kind.ARCHAEOLOGICAL_SITE: "LandmarksOrHistoricalBuildings",
    Asset.Kind.LANDSCAPE: "Place",
    Asset.Kind.NATURAL: "Place",
    Asset.Kind.MOVABLE_OBJECT: "CreativeWork",
    Asset.Kind.COLLECTION: "Collection",
    Asset.Kind.INTANGIBLE: "CreativeWork",
    Asset.Kind.DOCUMENT: "ArchiveComponent",
}
PLACE_TYPES = {"LandmarksOrHistoricalBuildings", "Place"}


def tagged(value: dict | None) -> list[dict[str, str]]:
    return [
        {"@value": text, "@language": lang} for lang, text in common.language_map(value).items()
    ]


def build_jsonld(asset: Asset, ctx: common.CrosswalkContext | None = None) -> dict:
    schema_type = SCHEMA_TYPES.get(asset.kind, "Thing")
    data: dict = {
        "@context": "https://schema.org",
        "@type": schema_type,
        "@id": common.resource_uri(asset),
        "url": common.public_page_url(asset),
        "name": tagged(asset.title),
        "additionalType": [
            {"@value": label, "@language": lang} for lang, label in kind_labels(asset).items()
        ],
        "identifier": [str(asset.pk)]
        + [
            {"@type": "PropertyValue", "propertyID": i.scheme, "value": i.value}
            for i in asset.identifiers.all()
        ],
    }
    description = tagged(asset.description) or tagged(asset.summary)
    if description:
        data["description"] = description
    if asset.summary and asset.description:
        data["disambiguatingDescription"] = tagged(asset.summary)
    same_as = common.wikidata_uris(asset)
    if same_as:
        data["sameAs"] = same_as
    place: dict = {"@type": "Place"}
    if asset.lat is not None and asset.lon is not None:
        place["geo"] = {"@type": "GeoCoordinates", "latitude": asset.lat, "longitude": asset.lon}
    if asset.address:
        place["address"] = asset.address
    place["containedInPlace"] = {
        "@type": "AdministrativeArea",
        "name": tagged(asset.community.name),
        "address": {"@type": "PostalAddress", "addressCountry": asset.community.country},
    }
    if schema_type in PLACE_TYPES:
        data.update({k: v for k, v in place.items() if k != "@type"})
    else:
        data["contentLocation"] = place
    if asset.dating:
        data["temporalCoverage"] = asset.dating
    if asset.tags:
        data["keywords"] = [t for t in asset.tags if isinstance(t, str)]
    images = [m for m in asset.media.all() if m.kind == Media.Kind.IMAGE and m.file]
    if images:
        data["image"] = [image_object(m) for m in images]
    data["subjectOf"] = {
        "@type": "WebPage",
        "url": common.public_page_url(asset),
        "dateModified": asset.updated_at.isoformat(),
        "publisher": {
            "@type": "Organization",
            "name": tagged(asset.organisation.name),
            **({"url": asset.organisation.website} if asset.organisation.website else {}),
        },
        "license": common.record_rights(asset),
    }
    return data


def image_object(media: Media) -> dict:
    obj = {
        "@type": "ImageObject",
        "contentUrl": common.media_file_url(media),
        "thumbnailUrl": common.media_display_url(media, common.THUMBNAIL_SIZE),
        "license": common.media_rights(media),
        "encodingFormat": common.media_mime_type(media),
    }
    if media.credit:
        obj["creditText"] = media.credit
    caption = tagged(media.caption) or tagged(media.alt_text)
    if caption:
        obj["caption"] = caption
    if media.width and media.height:
        obj["width"] = media.width
        obj["height"] = media.height
    return obj
