"""What every crosswalk shares: the URIs we mint, the provider name, rights and types."""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass
from functools import cached_property
from urllib.parse import urlparse

from django.conf import settings
from django.utils.encoding import iri_to_uri

from heco.core.langmap import clean_language_map, normalise_language_tag, pick
from heco.core.rights import COPYRIGHT_NOT_EVALUATED, normalise_rights
from heco.core.text import xml_text  # noqa: F401 - used by the crosswalks as common.xml_text
from heco.heritage.models import Asset, Media

DEFAULT_PROVIDER = "HE.CO Hub"
# Rendition widths made by heco.heritage.media (WebP): 320, 800, 1600.
THUMBNAIL_SIZE = "320"
DISPLAY_SIZE = "800"
mimetypes.add_type("image/webp", ".webp")
WIKIDATA_ENTITY = "http://www.wikidata.org/entity/"

# edm:type describes the digital representation we point to, from the first media item.
EDM_TYPE_BY_MEDIA = {
    Media.Kind.IMAGE: "IMAGE",
    Media.Kind.DOCUMENT: "TEXT",
    Media.Kind.AUDIO: "SOUND",
    Media.Kind.VIDEO_LINK: "VIDEO",
}


def site_url() -> str:
    return settings.SITE_URL.rstrip("/")


def absolute(url: str) -> str:
    """Make a storage URL (``/media/...``) absolute against SITE_URL; leave full URLs alone."""
    if not url:
        return ""
    if urlparse(url).scheme:
        return url
    return f"{site_url()}/{url.lstrip('/')}"


def resource_uri(asset: Asset) -> str:
    """The asset as a linked-data resource (edm:ProvidedCHO); resolves by content negotiation."""
    return f"{site_url()}/assets/{asset.pk}"


def aggregation_uri(asset: Asset) -> str:
    return f"{resource_uri(asset)}#aggregation"


def place_uri(asset: Asset) -> str:
    return f"{resource_uri(asset)}#place"


def timespan_uri(asset: Asset) -> str:
    return f"{resource_uri(asset)}#timespan"


def public_page_url(asset: Asset, lang: str = "en") -> str:
    """The public HTML page on the site (``/<lang>/assets/<slug>/``)."""
    return f"{site_url()}/{lang}/assets/{asset.slug}/"


def data_url(asset: Asset, extension: str) -> str:
    return f"{resource_uri(asset)}.{extension}"


def manifest_url(asset: Asset) -> str:
    return f"{site_url()}/iiif/{asset.pk}/manifest"


def media_file_url(media: Media) -> str:
    if media.file:
        return absolute(media.file.url)
    return iri_to_uri(media.url)  # a typed link may hold characters RDF refuses ({ } | ^ space)


def media_display_url(media: Media, size: str = DISPLAY_SIZE) -> str:
    """An image rendition when the heritage app made one, else the original file."""
    return iri_to_uri(absolute(media.rendition_url(size)))


def media_mime_type(media: Media) -> str:
    name = media.file.name if media.file else media.url
    guessed, _enc = mimetypes.guess_type(name or "")
    if guessed:
        return guessed
    return {"image": "image/jpeg", "document": "application/pdf", "audio": "audio/mpeg"}.get(
        media.kind, "text/html"
    )


def url_mime_type(url: str, media: Media) -> str:
    """The type of the file behind ``url`` (a rendition is WebP whatever the original was)."""
    guessed, _enc = mimetypes.guess_type(urlparse(url).path)
    return guessed or media_mime_type(media)


def media_rights(media: Media) -> str:
    return normalise_rights(media.rights) or COPYRIGHT_NOT_EVALUATED


def record_rights(asset: Asset) -> str:
    """edm:rights of the aggregation: the first media item's statement, else CNE."""
    media = list(asset.media.all())
    return media_rights(media[0]) if media else COPYRIGHT_NOT_EVALUATED


def edm_type(asset: Asset) -> str:
    media = list(asset.media.all())
    if media:
        return EDM_TYPE_BY_MEDIA.get(media[0].kind, "TEXT")
    return "TEXT"


def language_map(value: dict | None) -> dict[str, str]:
    """A cleaned language map in a stable order (sorted tags) so output is reproducible.

    Keys are written as canonical BCP 47 tags (``en_GB`` -> ``en-GB``); a key that is no
    language tag at all (stored by a script that skipped validation) is left out, as xml:lang
    and RDF would refuse it; of two keys naming the same tag, the first in sorted order wins."""
    cleaned = clean_language_map(value)
    result = {}
    for key in sorted(cleaned):
        tag = normalise_language_tag(key)
        text = xml_text(cleaned[key]).strip()
        if tag and text and tag not in result:
            result[tag] = text
    return dict(sorted(result.items()))


def name_of(obj, lang: str = "en") -> str:
    return pick(getattr(obj, "name", None), lang).text or getattr(obj, "slug", "")


def wikidata_uris(asset: Asset) -> list[str]:
    return [
        iri_to_uri(f"{WIKIDATA_ENTITY}{i.value.strip()}")
        for i in asset.identifiers.all()
        if i.scheme == "wikidata" and i.value.strip()
    ]


@dataclass
class CrosswalkContext:
    """Per-request values that every record of a response shares (looked up once)."""

    @cached_property
    def provider_name(self) -> str:
        return provider_name()


def provider_name() -> str:
    """edm:provider: the network named by HECO_DEFAULT_NETWORK, else "HE.CO Hub"."""
    from heco.network.models import Network

    slug = getattr(settings, "HECO_DEFAULT_NETWORK", "")
    if slug:
        network = Network.objects.filter(slug=slug).first()
        if network is not None:
            return name_of(network) or DEFAULT_PROVIDER
    return getattr(settings, "HECO_PROVIDER_NAME", "") or DEFAULT_PROVIDER
