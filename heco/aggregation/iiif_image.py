"""IIIF Image API 3.0 at compliance level 0: the renditions the heritage app already made.

Each image media item with renditions is an image service at ``/iiif/image/<media id>``:
``info.json`` lists the rendition sizes in ``sizes``, and ``full/<w>,<h>/0/default.<fmt>``
(or ``full/max/0/default.<fmt>``, the largest of them) returns that rendition. Nothing is
ever resized on request; any other region, size, rotation or quality is refused.

Formats: the renditions are WebP files (``heco.heritage.media``); ``webp`` serves them as
they are and is the preferred format. Level 0 also requires ``jpg``: the first request for a
size writes a JPEG copy of that rendition's pixels beside it in storage
(``renditions/<asset>/<media>/<width>.jpg``, no resizing) and later requests read that file,
as long as it is newer than the rendition it was made from (renditions made again from a
new upload keep their paths; their JPEG copies are then made again).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image

from heco.heritage.models import Media

from .crosswalks import common

CONTEXT = "http://iiif.io/api/image/3/context.json"
PROTOCOL = "http://iiif.io/api/image"
PROFILE = "level0"
FORMATS = {"jpg": "image/jpeg", "webp": "image/webp"}
JPEG_QUALITY = 85
SIZE_RE = re.compile(r"([0-9]{1,6}),([0-9]{1,6})")  # fullmatch: no other digits, no newline


@dataclass(frozen=True)
class Size:
    width: int
    height: int
    path: str  # the rendition file in default storage


def service_url(media: Media) -> str:
    return f"{common.site_url()}/iiif/image/{media.pk}"


def service_reference(media: Media) -> list[dict]:
    """The ``service`` of a IIIF Presentation resource painting ``media`` (empty without
    renditions: then there is no image service)."""
    if not has_service(media):
        return []
    return [{"id": service_url(media), "type": "ImageService3", "profile": PROFILE}]


def has_service(media: Media) -> bool:
    return media.kind == Media.Kind.IMAGE and bool(media.file) and bool(media.renditions)


def sizes(media: Media) -> list[Size]:
    """The renditions that exist, smallest first, one per pixel size (several widths of
    ``RENDITION_WIDTHS`` share one file when the original is narrower). Sizes are read from
    the files' headers (Pillow does not decode the pixels)."""
    found: dict[tuple[int, int], str] = {}
    for path in dict.fromkeys((media.renditions or {}).values()):
        if not isinstance(path, str) or not path:
            continue
        try:
            with default_storage.open(path) as fh, Image.open(fh) as img:
                found.setdefault(img.size, path)
        except (OSError, ValueError, Image.DecompressionBombError):
            continue  # a missing or broken file is not offered
    return [Size(w, h, path) for (w, h), path in sorted(found.items())]


def full_size(media: Media, available: list[Size]) -> tuple[int, int]:
    """Width and height of the whole image: the original's, else the largest rendition's."""
    if media.width and media.height:
        return media.width, media.height
    try:
        with media.file.open("rb") as fh, Image.open(fh) as img:
            return img.size
    except (OSError, ValueError, Image.DecompressionBombError):
        return available[-1].width, available[-1].height


def info(media: Media, available: list[Size]) -> dict:
    """The image information document (``info.json``) of a media item with renditions."""
    width, height = full_size(media, available)
    largest = available[-1]
    data = {
        "@context": CONTEXT,
        "id": service_url(media),
        "type": "ImageService3",
        "protocol": PROTOCOL,
        "profile": PROFILE,
        "width": width,
        "height": height,
    }
    if (largest.width, largest.height) != (width, height):
        data["maxWidth"], data["maxHeight"] = largest.width, largest.height
    data["sizes"] = [{"width": s.width, "height": s.height} for s in available]
    data["preferredFormats"] = ["webp"]
    data["extraFormats"] = ["webp"]
    data["rights"] = common.media_rights(media)
    return data


class BadRequest(ValueError):
    """A request level 0 does not support (region, rotation, quality, format, size syntax)."""


def select(available: list[Size], region, size, rotation, quality, fmt) -> Size | None:
    """The rendition an image request asks for; None when the size is not one we list.
    Raises BadRequest for anything else than ``full/{max|w,h}/0/default.{jpg|webp}``."""
    if region != "full" or rotation != "0" or quality != "default" or fmt not in FORMATS:
        raise BadRequest("level 0: only full/{max|w,h}/0/default.{jpg|webp}")
    if size == "max":
        return available[-1]
    match = SIZE_RE.fullmatch(size)
    if not match:
        raise BadRequest("level 0: the size is max or one of the listed w,h")
    wanted = (int(match[1]), int(match[2]))
    return next((s for s in available if (s.width, s.height) == wanted), None)


def jpeg_path(size: Size) -> str:
    """The JPEG copy of a rendition, written the first time it is asked for."""
    target = size.path.rsplit(".", 1)[0] + ".jpg"
    if default_storage.exists(target):
        made = default_storage.get_modified_time(target)
        if made > default_storage.get_modified_time(size.path):
            return target
    with default_storage.open(size.path) as fh, Image.open(fh) as img:
        img.load()
        if img.mode in ("RGBA", "LA", "P"):
            rgba = img.convert("RGBA")
            flat = Image.new("RGB", rgba.size, (255, 255, 255))
            flat.paste(rgba, mask=rgba.getchannel("A"))
        else:
            flat = img.convert("RGB")
    buffer = io.BytesIO()
    flat.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True)
    if default_storage.exists(target):
        default_storage.delete(target)
    return default_storage.save(target, ContentFile(buffer.getvalue()))
