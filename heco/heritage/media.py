"""Uploads checked by content, images stripped of metadata, and renditions.

``validate_upload(file, kind)`` is what forms call; ``clean_upload`` returns the bytes to
store (images re-encoded without EXIF/GPS/XMP); ``generate_renditions(media)`` writes the
resized WebP copies to default storage and records them in ``Media.renditions``.
"""

from __future__ import annotations

import io
import os
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.template.defaultfilters import filesizeformat
from django.utils.text import get_valid_filename
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

RENDITION_WIDTHS = (320, 800, 1600)
RENDITION_FORMAT = "WEBP"
RENDITION_QUALITY = 80
DEFAULT_MAX_PIXELS = 40_000_000  # 40 megapixels: above this an upload is treated as a bomb

# Formats we accept as images, and what we store them as after stripping metadata.
IMAGE_FORMATS = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WEBP", "GIF": "PNG", "TIFF": "PNG"}
EXTENSIONS = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp"}


@dataclass(frozen=True)
class UploadInfo:
    kind: str
    format: str  # "JPEG", "PNG", … for images; "pdf", "mp3", "ogg", "wav", "flac" otherwise
    size: int
    width: int | None = None
    height: int | None = None


def _max_pixels() -> int:
    return int(getattr(settings, "HECO_MAX_IMAGE_PIXELS", DEFAULT_MAX_PIXELS))


def _size(file) -> int:
    size = getattr(file, "size", None)
    if size is None:
        pos = file.tell()
        file.seek(0, os.SEEK_END)
        size = file.tell()
        file.seek(pos)
    return int(size)


def _head(file, n: int = 16) -> bytes:
    file.seek(0)
    data = file.read(n)
    file.seek(0)
    return data or b""


def _too_large(limit: int) -> ValidationError:
    return ValidationError(
        _("The file is too large; the limit is %(limit)s."),
        params={"limit": filesizeformat(limit)},
        code="file_too_large",
    )


def _audio_format(head: bytes) -> str | None:
    if head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return "mp3"
    if head.startswith(b"OggS"):
        return "ogg"
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return "wav"
    if head.startswith(b"fLaC"):
        return "flac"
    return None


def _load_strictly(image: Image.Image) -> None:
    """Decode every pixel and refuse truncated data, even when another library has relaxed
    Pillow globally (WeasyPrint sets ``ImageFile.LOAD_TRUNCATED_IMAGES = True`` on import)."""
    previous = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        image.load()
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = previous


def _open_image(file) -> Image.Image:
    """Open and check an image by content; raises ValidationError for anything unsafe."""
    not_image = ValidationError(
        _("The file is not an image we can read (JPEG, PNG, WebP, GIF or TIFF)."),
        code="not_an_image",
    )
    bomb = ValidationError(
        _("The image is too large in pixels (limit: %(limit)s megapixels)."),
        params={"limit": _max_pixels() // 1_000_000},
        code="image_too_many_pixels",
    )
    file.seek(0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(file) as probe:
                fmt = probe.format
                width, height = probe.size
                if fmt not in IMAGE_FORMATS:
                    raise not_image
                if width * height > _max_pixels():
                    raise bomb
                probe.verify()  # structure and checksums, without decoding the pixels
            file.seek(0)
            image = Image.open(file)
            _load_strictly(image)  # decoding catches truncated data that verify() lets through
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise bomb
        except ValidationError:
            raise
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
            raise not_image
        finally:
            file.seek(0)
    if getattr(image, "n_frames", 1) > 1 and width * height * image.n_frames > _max_pixels():
        raise bomb
    return image


def _check(file, kind: str) -> tuple[UploadInfo, Image.Image | None]:
    """Validate by content; for images also return the opened, decoded image (caller closes)."""
    from heco.heritage.models import Media

    if kind == Media.Kind.VIDEO_LINK:
        raise ValidationError(_("A video link takes a link, not a file."), code="invalid_kind")
    if kind not in Media.Kind.values:
        raise ValidationError(_("Unknown media kind."), code="invalid_kind")
    size = _size(file)
    if size == 0:
        raise ValidationError(_("The file is empty."), code="empty_file")
    if kind == Media.Kind.IMAGE:
        if size > settings.HECO_MAX_IMAGE_BYTES:
            raise _too_large(settings.HECO_MAX_IMAGE_BYTES)
        image = _open_image(file)
        return UploadInfo(kind, image.format, size, *image.size), image
    if size > settings.HECO_MAX_DOCUMENT_BYTES:
        raise _too_large(settings.HECO_MAX_DOCUMENT_BYTES)
    head = _head(file)
    if kind == Media.Kind.DOCUMENT:
        if not head.startswith(b"%PDF-"):
            raise ValidationError(_("Documents must be PDF files."), code="not_a_pdf")
        return UploadInfo(kind, "pdf", size), None
    fmt = _audio_format(head)
    if fmt is None:
        raise ValidationError(_("Audio must be an MP3, Ogg, WAV or FLAC file."), code="not_audio")
    return UploadInfo(kind, fmt, size), None


def validate_upload(file, kind: str) -> UploadInfo:
    """Check an upload by its content for the media ``kind`` (``Media.Kind`` value): size
    limits, real image/PDF/audio content, no decompression bombs. Raises ValidationError."""
    info, image = _check(file, kind)
    if image is not None:
        image.close()
    return info


def _base_name(file, default: str) -> str:
    name = os.path.basename(getattr(file, "name", "") or "") or default
    stem = os.path.splitext(get_valid_filename(name))[0] or default
    return stem[:80]


def strip_metadata(image: Image.Image) -> tuple[bytes, str, Image.Image]:
    """Re-encode ``image`` without EXIF, GPS, XMP or text chunks (orientation applied first).

    Returns (bytes, stored format, the clean image). The colour profile is kept: it is not
    personal data.
    """
    fmt = IMAGE_FORMATS[image.format]
    icc = image.info.get("icc_profile")
    clean = ImageOps.exif_transpose(image)  # bake the EXIF rotation in before dropping EXIF
    if fmt == "JPEG" and clean.mode not in ("RGB", "L", "CMYK"):
        clean = clean.convert("RGB")
    if fmt == "PNG" and clean.mode not in ("1", "L", "LA", "P", "RGB", "RGBA", "I", "I;16"):
        clean = clean.convert("RGBA")
    # keep only what rendering needs; EXIF, XMP, comments and PNG text chunks are dropped
    fresh = clean.copy() if clean is image else clean
    fresh.info = {k: v for k, v in clean.info.items() if k in ("transparency", "dpi")}
    if hasattr(fresh, "_exif"):
        fresh._exif = None
    options: dict = {}
    if icc:
        options["icc_profile"] = icc
    if fmt == "JPEG":
        options.update(quality=90)
    elif fmt == "WEBP":
        options.update(quality=90, method=4)
    buffer = io.BytesIO()
    fresh.save(buffer, fmt, **options)
    return buffer.getvalue(), fmt, fresh


def clean_upload(file, kind: str) -> tuple[ContentFile, Image.Image | None]:
    """Validate ``file`` and return the content to store: images re-encoded without metadata
    (plus the clean decoded image, for ``generate_renditions``), other files as they are."""
    info, image = _check(file, kind)
    if image is not None:
        with image:
            data, fmt, clean = strip_metadata(image)
        return ContentFile(data, name=_base_name(file, "image") + EXTENSIONS[fmt]), clean
    file.seek(0)
    data = file.read()
    file.seek(0)
    ext = {"pdf": ".pdf", "mp3": ".mp3", "ogg": ".ogg", "wav": ".wav", "flac": ".flac"}
    return ContentFile(data, name=_base_name(file, kind) + ext[info.format]), None


def rendition_path(media, width: int) -> str:
    return f"renditions/{media.asset_id}/{media.pk}/{width}.webp"


def delete_renditions(media) -> None:
    """Remove the rendition files and the JPEG copies the IIIF image service made of them
    (``<rendition>.jpg`` beside each, see heco.aggregation.iiif_image)."""
    for path in set((media.renditions or {}).values()):
        if not path:
            continue
        for candidate in (path, path.rsplit(".", 1)[0] + ".jpg"):
            if default_storage.exists(candidate):
                default_storage.delete(candidate)


def delete_files(media) -> None:
    delete_renditions(media)
    if media.file and default_storage.exists(media.file.name):
        media.file.delete(save=False)


def generate_renditions(media, widths=RENDITION_WIDTHS, image=None) -> dict[str, str]:
    """Write WebP renditions of an image media item and record them (and its size) on it.

    Every requested width gets an entry; widths larger than the original map to a copy at the
    original width, so ``Media.rendition_url("1600")`` always finds a file. ``image`` may pass
    the already decoded picture (as ``clean_upload`` returns it) to save decoding it again.
    """
    from heco.heritage.models import Media

    if media.kind != Media.Kind.IMAGE or not media.file:
        return {}
    delete_renditions(media)
    if image is None:
        with media.file.open("rb") as handle, Image.open(handle) as source:
            source.load()
            image = ImageOps.exif_transpose(source)
    if image.mode not in ("RGB", "RGBA"):
        image = image.convert(
            "RGBA" if "A" in image.getbands() or "transparency" in image.info else "RGB"
        )
    orig_w, orig_h = image.size
    renditions: dict[str, str] = {}
    made: dict[int, str] = {}
    try:
        for width in sorted(widths):
            target = min(width, orig_w)
            if target not in made:
                height = max(1, round(orig_h * target / orig_w))
                resized = (
                    image
                    if target == orig_w
                    else image.resize((target, height), Image.Resampling.LANCZOS, reducing_gap=3.0)
                )
                buffer = io.BytesIO()
                resized.save(buffer, RENDITION_FORMAT, quality=RENDITION_QUALITY, method=2)
                path = rendition_path(media, target)
                if default_storage.exists(path):
                    default_storage.delete(path)
                made[target] = default_storage.save(path, ContentFile(buffer.getvalue()))
            renditions[str(width)] = made[target]
    except BaseException:
        for path in made.values():  # no half set of files left behind
            if default_storage.exists(path):
                default_storage.delete(path)
        raise
    media.renditions = renditions
    media.width, media.height = orig_w, orig_h
    media.save(update_fields=["renditions", "width", "height"])
    return renditions
