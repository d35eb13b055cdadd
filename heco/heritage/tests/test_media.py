import io
import struct
import zlib
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from heco.heritage.media import validate_upload
from heco.heritage.models import Media
from heco.heritage.services import media_add
from heco.testing.factories import AssetFactory

CC_BY = "http://creativecommons.org/licenses/by/4.0/"
GPS_IFD = 0x8825


def jpeg_bytes(size=(1200, 800), exif=True, orientation=None) -> bytes:
    image = Image.new("RGB", size, (180, 120, 60))
    image.paste((20, 40, 200), (0, 0, size[0] // 2, size[1] // 3))
    buffer = io.BytesIO()
    options = {}
    if exif:
        data = Image.Exif()
        data[0x010F] = "Camera maker"  # Make
        data[0x0131] = "Editing software"  # Software
        if orientation:
            data[0x0112] = orientation
        data[GPS_IFD] = {1: "N", 2: (55.0, 54.0, 41.0), 3: "E", 4: (21.0, 50.0, 38.0)}
        options["exif"] = data.tobytes()
    image.save(buffer, "JPEG", quality=90, **options)
    return buffer.getvalue()


def upload(data: bytes, name="photo.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def png_bomb(width=50_000, height=50_000) -> bytes:
    """A tiny PNG whose header claims a huge canvas (the classic decompression bomb)."""
    buffer = io.BytesIO()
    Image.new("1", (8, 8)).save(buffer, "PNG")
    data = bytearray(buffer.getvalue())
    # IHDR data starts at byte 16: width, height (big-endian), then fix the chunk's CRC
    data[16:24] = struct.pack(">II", width, height)
    crc = zlib.crc32(bytes(data[12:29])) & 0xFFFFFFFF
    data[29:33] = struct.pack(">I", crc)
    return bytes(data)


def test_a_real_image_is_accepted():
    info = validate_upload(upload(jpeg_bytes()), "image")
    assert (info.format, info.width, info.height) == ("JPEG", 1200, 800)


def test_a_text_file_renamed_jpg_is_refused():
    with pytest.raises(ValidationError) as exc:
        validate_upload(upload(b"just some text, not a picture\n" * 20), "image")
    assert exc.value.code == "not_an_image"


def test_a_truncated_image_is_refused():
    with pytest.raises(ValidationError):
        validate_upload(upload(jpeg_bytes()[:2000]), "image")


def test_an_oversized_image_is_refused(settings):
    settings.HECO_MAX_IMAGE_BYTES = 10_000
    with pytest.raises(ValidationError) as exc:
        validate_upload(upload(jpeg_bytes()), "image")
    assert exc.value.code == "file_too_large"


def test_an_oversized_document_is_refused(settings):
    settings.HECO_MAX_DOCUMENT_BYTES = 100
    with pytest.raises(ValidationError) as exc:
        validate_upload(upload(b"%PDF-1.7\n" + b"0" * 200, "a.pdf"), "document")
    assert exc.value.code == "file_too_large"


def test_a_decompression_bomb_is_refused():
    with pytest.raises(ValidationError) as exc:
        validate_upload(upload(png_bomb(), "bomb.png", "image/png"), "image")
    assert exc.value.code == "image_too_many_pixels"


def test_an_image_above_our_pixel_limit_is_refused(settings):
    settings.HECO_MAX_IMAGE_PIXELS = 1000 * 1000
    with pytest.raises(ValidationError) as exc:
        validate_upload(upload(jpeg_bytes((1200, 900), exif=False)), "image")
    assert exc.value.code == "image_too_many_pixels"


def test_documents_must_be_pdf():
    assert validate_upload(upload(b"%PDF-1.4\n%...", "a.pdf"), "document").format == "pdf"
    with pytest.raises(ValidationError):
        validate_upload(upload(b"<html>not a pdf</html>", "a.pdf"), "document")


@pytest.mark.parametrize(
    ("head", "fmt"),
    [
        (b"ID3\x04\x00\x00", "mp3"),
        (b"\xff\xfb\x90\x64", "mp3"),
        (b"OggS\x00\x02", "ogg"),
        (b"RIFF\x24\x08\x00\x00WAVEfmt ", "wav"),
        (b"fLaC\x00\x00\x00\x22", "flac"),
    ],
)
def test_audio_is_recognised_by_its_magic_bytes(head, fmt):
    assert validate_upload(upload(head + b"\x00" * 64, "sound"), "audio").format == fmt


def test_audio_that_is_not_audio_is_refused():
    with pytest.raises(ValidationError):
        validate_upload(upload(b"MZ\x90\x00 an executable", "song.mp3"), "audio")


@pytest.mark.django_db
def test_media_add_strips_exif_and_gps(editor, home_org):
    original = Image.open(io.BytesIO(jpeg_bytes()))
    assert GPS_IFD in original.getexif()  # the fixture really carries location data
    asset = AssetFactory(organisation=home_org)
    media = media_add(
        asset=asset,
        file=upload(jpeg_bytes()),
        kind="image",
        rights=CC_BY,
        credit="Plungė Library",
        alt_text={"en": "The manor from the park", "lt": "Dvaras iš parko"},
        caption={"en": "Plungė Manor"},
        user=editor,
    )
    with media.file.open("rb") as handle:
        stored = Image.open(handle)
        stored.load()
    assert len(stored.getexif()) == 0
    assert "exif" not in stored.info
    assert (media.width, media.height) == (1200, 800)


@pytest.mark.django_db
def test_exif_orientation_is_applied_before_stripping(home_org):
    asset = AssetFactory(organisation=home_org)
    media = media_add(
        asset=asset,
        file=upload(jpeg_bytes((600, 400), orientation=6)),  # rotate 90° clockwise
        kind="image",
        rights=CC_BY,
        alt_text={"en": "Rotated"},
    )
    assert (media.width, media.height) == (400, 600)


@pytest.mark.django_db
def test_renditions_are_written_to_media_storage(settings, home_org):
    asset = AssetFactory(organisation=home_org)
    media = media_add(
        asset=asset, file=upload(jpeg_bytes()), kind="image", rights=CC_BY, alt_text={"en": "x"}
    )
    assert set(media.renditions) == {"320", "800", "1600"}
    root = Path(settings.MEDIA_ROOT)
    widths = {}
    for key, path in media.renditions.items():
        assert (root / path).is_file()
        with Image.open(root / path) as image:
            assert image.format == "WEBP"
            widths[key] = image.width
    assert widths == {"320": 320, "800": 800, "1600": 1200}  # never upscaled
    assert (root / media.file.name).is_file()
    assert media.rendition_url("800").endswith("/800.webp")
    Media.objects.get(pk=media.pk)  # saved


@pytest.mark.django_db
def test_outsider_cannot_add_media(outsider, home_org):
    asset = AssetFactory(organisation=home_org)
    with pytest.raises(PermissionDenied):
        media_add(
            asset=asset,
            file=upload(jpeg_bytes()),
            kind="image",
            rights=CC_BY,
            alt_text={"en": "x"},
            user=outsider,
        )
    assert not Media.objects.exists()


@pytest.mark.django_db
def test_images_need_alt_text_and_a_known_rights_statement(home_org):
    asset = AssetFactory(organisation=home_org)
    with pytest.raises(ValidationError) as exc:
        media_add(asset=asset, file=upload(jpeg_bytes()), kind="image", rights=CC_BY)
    assert "alt_text" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        media_add(
            asset=asset,
            file=upload(jpeg_bytes()),
            kind="image",
            rights="all rights reserved",
            alt_text={"en": "x"},
        )
    assert "rights" in exc.value.message_dict


@pytest.mark.django_db
def test_a_fake_image_is_not_stored(home_org, settings):
    asset = AssetFactory(organisation=home_org)
    with pytest.raises(ValidationError):
        media_add(
            asset=asset,
            file=upload(b"not an image" * 50),
            kind="image",
            rights=CC_BY,
            alt_text={"en": "x"},
        )
    assert not Media.objects.exists()
    assert not any(Path(settings.MEDIA_ROOT).rglob("*.jpg"))


def test_a_truncated_image_is_refused_even_after_weasyprint_relaxed_pillow():
    import weasyprint  # noqa: F401  (sets PIL.ImageFile.LOAD_TRUNCATED_IMAGES = True)
    from PIL import ImageFile

    assert ImageFile.LOAD_TRUNCATED_IMAGES
    with pytest.raises(ValidationError):
        validate_upload(upload(jpeg_bytes()[:2000]), "image")


@pytest.mark.django_db
def test_a_failure_while_writing_renditions_leaves_no_file_and_no_row(home_org, settings):
    asset = AssetFactory(organisation=home_org)
    root = Path(settings.MEDIA_ROOT)
    blocker = root / "renditions" / str(asset.pk)  # a file where the renditions' folder goes
    blocker.parent.mkdir(parents=True, exist_ok=True)
    blocker.write_text("in the way")
    with pytest.raises(OSError):
        media_add(
            asset=asset, file=upload(jpeg_bytes()), kind="image", rights=CC_BY, alt_text={"en": "x"}
        )
    assert not Media.objects.exists()
    assert [p for p in root.rglob("*") if p.is_file()] == [blocker]  # the original went too


@pytest.mark.django_db
def test_renditions_written_before_a_failure_are_removed(home_org, settings):
    from heco.heritage.media import generate_renditions, rendition_path

    asset = AssetFactory(organisation=home_org)
    media = media_add(
        asset=asset,
        file=upload(jpeg_bytes(size=(2000, 1000))),
        kind="image",
        rights=CC_BY,
        alt_text={"en": "x"},
    )
    root = Path(settings.MEDIA_ROOT)
    before = media.renditions
    # the widest rendition cannot be written (a non-empty folder in its place); 320 and 800 are
    # written first and must not stay behind
    widest = root / rendition_path(media, 1600)
    widest.unlink()
    widest.mkdir()
    (widest / "keep").write_text("x")
    media.renditions = {}  # as for an image that never had renditions
    with pytest.raises(OSError):
        generate_renditions(media)
    assert not (root / before["320"]).exists() and not (root / before["800"]).exists()
    assert (root / media.file.name).is_file()  # the original is not the renditions' to remove
