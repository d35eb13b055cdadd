"""IIIF Presentation API 3.0 manifests and collections, as plain dicts.

(iiif-prezi3 would pin Pillow to <=12.0, below what the project uses, so we write the few
structures we need by hand and validate them against the official JSON Schema in tests.)
"""

from __future__ import annotations

import re

from django.core.files.storage import default_storage
from PIL import Image

from heco.heritage.models import Asset, Media

from ..iiif_image import service_reference
from . import common
from .edm import kind_labels

CONTEXT = "http://iiif.io/api/presentation/3/context.json"
NAVPLACE_CONTEXT = "http://iiif.io/api/extension/navplace/context.json"
EDM_PROFILE = "http://www.europeana.eu/schemas/edm/"
IIIF_LANGUAGE_KEY = re.compile(r"^[a-zA-Z-]+$")


def lang_map(value: dict | None, fallback: str = "") -> dict[str, list[str]]:
    """A IIIF language map. The official schema takes letters and hyphens only as keys, so a
    tag with digits (``es-419``, ``de-1996``) is written as its language (``es``, ``de``)
    unless that language has its own text."""
    result: dict[str, list[str]] = {}
    for lang, text in common.language_map(value).items():
        key = lang if IIIF_LANGUAGE_KEY.match(lang) else lang.split("-")[0]
        result.setdefault(key, [text])
    if result:
        return result
    return {"none": [fallback]} if fallback else {}


def none_map(text: str) -> dict[str, list[str]]:
    return {"none": [text]}


def _entry(label_en: str, value: dict[str, list[str]]) -> dict:
    return {"label": {"en": [label_en]}, "value": value}


def image_size(media: Media, size: str | None = None) -> tuple[int, int]:
    """(width, height) of the original (``size`` None) or of a rendition, read from the file
    header when the model does not hold it (Pillow opens lazily; pixels are not decoded)."""
    if size is None and media.width and media.height:
        return media.width, media.height
    path = media.renditions.get(size) if size else None
    try:
        if path:
            with default_storage.open(path) as fh, Image.open(fh) as img:
                return img.size
        with media.file.open("rb") as fh, Image.open(fh) as img:
            return img.size
    except (OSError, ValueError):
        return media.width or 1, media.height or 1


def _display(media: Media) -> tuple[str, tuple[int, int]]:
    """The largest rendition the heritage app made (else the original) and its size."""
    sizes = sorted((k for k in media.renditions if str(k).isdigit()), key=int, reverse=True)
    if sizes:
        return common.absolute(media.rendition_url(sizes[0])), image_size(media, sizes[0])
    return common.media_file_url(media), image_size(media)


def _image_service(media: Media) -> dict:
    """The IIIF Image API level 0 service of an image with renditions (see iiif_image)."""
    service = service_reference(media)
    return {"service": service} if service else {}


def _thumbnail(media: Media) -> dict:
    url = common.media_display_url(media, common.THUMBNAIL_SIZE)
    return {"id": url, "type": "Image", "format": common.url_mime_type(url, media)}


def build_manifest(asset: Asset, images: list[Media]) -> dict:
    base = common.manifest_url(asset).removesuffix("/manifest")
    metadata = [
        _entry("Kind", {lang: [label] for lang, label in kind_labels(asset).items()}),
        _entry("Organisation", lang_map(asset.organisation.name, asset.organisation.slug)),
        _entry("Place", lang_map(asset.community.name, asset.community.slug)),
    ]
    if asset.address:
        metadata.append(_entry("Address", none_map(asset.address)))
    if asset.dating:
        metadata.append(_entry("Dating", none_map(asset.dating)))
    for identifier in asset.identifiers.all():
        metadata.append(_entry("Identifier", none_map(f"{identifier.scheme}:{identifier.value}")))

    first = images[0]
    credits = [m.credit for m in images if m.credit]
    attribution = "; ".join(dict.fromkeys(credits)) or common.name_of(asset.organisation)
    canvases = []
    for n, media in enumerate(images, start=1):
        canvas_id = f"{base}/canvas/{n}"
        width, height = image_size(media)
        body_url, (body_w, body_h) = _display(media)
        canvas = {
            "id": canvas_id,
            "type": "Canvas",
            "width": width,
            "height": height,
            "items": [
                {
                    "id": f"{base}/page/{n}",
                    "type": "AnnotationPage",
                    "items": [
                        {
                            "id": f"{base}/annotation/{n}",
                            "type": "Annotation",
                            "motivation": "painting",
                            "body": {
                                "id": body_url,
                                "type": "Image",
                                "format": common.url_mime_type(body_url, media),
                                "width": body_w,
                                "height": body_h,
                                **_image_service(media),
                            },
                            "target": canvas_id,
                        }
                    ],
                }
            ],
            "thumbnail": [_thumbnail(media)],
        }
        label = lang_map(media.caption) or lang_map(media.alt_text)
        if label:
            canvas["label"] = label
        if media.credit:
            canvas["requiredStatement"] = _entry("Attribution", none_map(media.credit))
        canvas["rights"] = common.media_rights(media)
        canvases.append(canvas)

    manifest = {
        "@context": CONTEXT,
        "id": common.manifest_url(asset),
        "type": "Manifest",
        "label": lang_map(asset.title, asset.slug),
        "metadata": metadata,
        "requiredStatement": _entry("Attribution", none_map(attribution)),
        "rights": common.media_rights(first),
        "provider": [
            {
                "id": f"{common.site_url()}/iiif/collection/{asset.organisation.slug}",
                "type": "Agent",
                "label": lang_map(asset.organisation.name, asset.organisation.slug),
                **(
                    {
                        "homepage": [
                            {
                                "id": asset.organisation.website,
                                "type": "Text",
                                "label": lang_map(asset.organisation.name),
                                "format": "text/html",
                            }
                        ]
                    }
                    if asset.organisation.website.startswith(("http://", "https://"))
                    else {}  # IIIF ids are http(s); a website may also be ftp:// (or empty)
                ),
            }
        ],
        "homepage": [
            {
                "id": common.public_page_url(asset),
                "type": "Text",
                "label": lang_map(asset.title, asset.slug),
                "format": "text/html",
            }
        ],
        "seeAlso": [
            {
                "id": common.data_url(asset, "rdf"),
                "type": "Dataset",
                "format": "application/rdf+xml",
                "profile": EDM_PROFILE,
            },
            {
                "id": common.data_url(asset, "jsonld"),
                "type": "Dataset",
                "format": "application/ld+json",
                "profile": "https://schema.org/",
            },
        ],
        "partOf": [
            {
                "id": f"{common.site_url()}/iiif/collection/{asset.organisation.slug}",
                "type": "Collection",
            }
        ],
        "thumbnail": [_thumbnail(first)],
        "items": canvases,
    }
    summary = lang_map(asset.summary) or lang_map(asset.description)
    if summary:
        manifest["summary"] = summary
    if asset.lat is not None and asset.lon is not None:
        manifest["@context"] = [NAVPLACE_CONTEXT, CONTEXT]
        manifest["navPlace"] = {
            "id": f"{base}/feature-collection/1",
            "type": "FeatureCollection",
            "features": [
                {
                    "id": f"{base}/feature/1",
                    "type": "Feature",
                    "properties": {"label": lang_map(asset.title, asset.slug)},
                    "geometry": {"type": "Point", "coordinates": [asset.lon, asset.lat]},
                }
            ],
        }
    return manifest


def build_collection(
    collection_id: str, label: dict[str, list[str]], items: list[dict], summary=None
) -> dict:
    data = {"@context": CONTEXT, "id": collection_id, "type": "Collection", "label": label}
    if summary:
        data["summary"] = summary
    data["items"] = items
    return data


def manifest_reference(asset: Asset) -> dict:
    return {
        "id": common.manifest_url(asset),
        "type": "Manifest",
        "label": lang_map(asset.title, asset.slug),
    }
