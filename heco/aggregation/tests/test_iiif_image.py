"""IIIF Image API 3.0 level 0: info.json, the pre-made sizes and nothing else."""

import io

import pytest
from django.core.files.base import ContentFile
from PIL import Image

from heco.core.models import Status
from heco.heritage.media import generate_renditions
from heco.heritage.models import Media
from heco.testing.factories import AssetFactory

from .conftest import add_image, image_bytes

SITE = "http://127.0.0.1:8000"


def image_with_renditions(asset=None, width=2000, height=1000, **extra):
    media = add_image(asset or AssetFactory(), width=width, height=height, **extra)
    generate_renditions(media)
    return media


def info_of(client, media, status=200):
    response = client.get(f"/iiif/image/{media.pk}/info.json")
    assert response.status_code == status
    if status != 200:
        return None
    assert response["Content-Type"] == (
        'application/ld+json;profile="http://iiif.io/api/image/3/context.json"'
    )
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Cache-Control"] == "public, max-age=900"
    return response.json()


def fetch_image(client, url):
    response = client.get(url.removeprefix(SITE))
    assert response.status_code == 200, url
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Cache-Control"] == "public, max-age=86400"
    assert response["Last-Modified"]
    data = b"".join(response.streaming_content)
    with Image.open(io.BytesIO(data)) as img:
        return response["Content-Type"], img.format, img.size


def test_info_json_lists_the_renditions_as_a_level0_service(db, client):
    media = image_with_renditions(rights="http://creativecommons.org/licenses/by-sa/4.0/")
    info = info_of(client, media)
    assert info == {
        "@context": "http://iiif.io/api/image/3/context.json",
        "id": f"{SITE}/iiif/image/{media.pk}",
        "type": "ImageService3",
        "protocol": "http://iiif.io/api/image",
        "profile": "level0",
        "width": 2000,
        "height": 1000,
        "maxWidth": 1600,  # no rendition is as large as the original
        "maxHeight": 800,
        "sizes": [
            {"width": 320, "height": 160},
            {"width": 800, "height": 400},
            {"width": 1600, "height": 800},
        ],
        "preferredFormats": ["webp"],
        "extraFormats": ["webp"],
        "rights": "http://creativecommons.org/licenses/by-sa/4.0/",
    }


def test_renditions_that_share_a_file_are_listed_once_and_max_is_the_original_size(db, client):
    media = image_with_renditions(width=400, height=300)  # 800 and 1600 are both 400 wide
    info = info_of(client, media)
    assert info["sizes"] == [{"width": 320, "height": 240}, {"width": 400, "height": 300}]
    assert (info["width"], info["height"]) == (400, 300)
    assert "maxWidth" not in info and "maxHeight" not in info


def test_the_service_base_uri_redirects_to_info_json(db, client):
    media = image_with_renditions(width=400, height=300)
    response = client.get(f"/iiif/image/{media.pk}")
    assert response.status_code == 303
    assert response["Location"] == f"/iiif/image/{media.pk}/info.json"


def test_every_listed_size_is_served_in_both_formats_with_its_pixel_size(db, client):
    media = image_with_renditions()
    info = info_of(client, media)
    for size in info["sizes"]:
        w, h = size["width"], size["height"]
        for fmt, mime, pil_format in (
            ("jpg", "image/jpeg", "JPEG"),
            ("webp", "image/webp", "WEBP"),
        ):
            url = f"{info['id']}/full/{w},{h}/0/default.{fmt}"
            assert fetch_image(client, url) == (mime, pil_format, (w, h))
    largest = (info["maxWidth"], info["maxHeight"])
    assert fetch_image(client, f"{info['id']}/full/max/0/default.jpg")[1:] == ("JPEG", largest)
    assert fetch_image(client, f"{info['id']}/full/max/0/default.webp")[1:] == ("WEBP", largest)


def test_the_jpeg_copy_is_made_once_and_again_after_new_renditions(db, client):
    media = image_with_renditions(width=400, height=300)
    url = f"/iiif/image/{media.pk}/full/320,240/0/default.jpg"

    def pixel():
        data = b"".join(client.get(url).streaming_content)
        with Image.open(io.BytesIO(data)) as img:
            return img.convert("RGB").getpixel((10, 10))

    red, green, blue = pixel()
    assert red > 100 and blue < 80  # the fixture's brown
    assert pixel() == (red, green, blue)
    media.file.save("new.jpg", ContentFile(image_bytes(400, 300, color=(0, 0, 255))), save=True)
    generate_renditions(media)
    red, green, blue = pixel()
    assert blue > 200 and red < 50


def test_a_conditional_request_gets_not_modified(db, client):
    media = image_with_renditions(width=400, height=300)
    url = f"/iiif/image/{media.pk}/full/max/0/default.webp"
    last_modified = client.get(url)["Last-Modified"]
    response = client.get(url, headers={"If-Modified-Since": last_modified})
    assert response.status_code == 304


@pytest.mark.parametrize(
    "size", ["321,240", "100,50", "2000,1000", "640,320", "1600,801", "0,0", "999999,999999"]
)
def test_sizes_that_are_not_listed_are_not_found(db, client, size):
    media = image_with_renditions()
    response = client.get(f"/iiif/image/{media.pk}/full/{size}/0/default.jpg")
    assert response.status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "0,0,100,100/max/0/default.jpg",  # regions: level 0 serves the full image only
        "square/max/0/default.jpg",
        "pct:10,10,50,50/max/0/default.jpg",
        "full/320,/0/default.jpg",  # sizes other than max and w,h
        "full/,160/0/default.jpg",
        "full/pct:50/0/default.jpg",
        "full/!320,160/0/default.jpg",
        "full/^max/0/default.jpg",
        "full/-320,160/0/default.jpg",
        "full/320,160,1/0/default.jpg",
        "full/max/90/default.jpg",  # rotation, mirroring
        "full/max/!0/default.jpg",
        "full/max/0/gray.jpg",  # quality
        "full/max/0/color.jpg",
        "full/max/0/default.png",  # format
        "full/max/0/default.",
        "full/max/0/default",
        "full/max/0/.jpg",
    ],
)
def test_requests_level0_does_not_support_are_bad_requests(db, client, path):
    media = image_with_renditions(width=400, height=300)
    assert client.get(f"/iiif/image/{media.pk}/{path}").status_code == 400


@pytest.mark.parametrize(
    "path",
    [
        "/iiif/image/abc/info.json",
        "/iiif/image/-1/info.json",
        "/iiif/image/99999999999999999999999999/info.json",
        "/iiif/image/99999999999999999999999999/full/max/0/default.jpg",
        "/iiif/image/{pk}/full/max/0",
        "/iiif/image/{pk}/full/max/0/default.jpg/extra",
        "/iiif/image/{pk}/info.xml",
        "/iiif/image/{pk}/",
        "/iiif/image/0/full/max/0/default.jpg",
    ],
)
def test_malformed_paths_and_unknown_images_are_not_found(db, client, path):
    media = image_with_renditions(width=400, height=300)
    assert client.get(path.format(pk=media.pk)).status_code == 404


def test_images_without_renditions_and_other_media_have_no_service(db, client):
    asset = AssetFactory()
    plain = add_image(asset)  # no renditions made
    document = Media.objects.create(
        asset=asset,
        kind=Media.Kind.DOCUMENT,
        rights="http://creativecommons.org/publicdomain/mark/1.0/",
        file=ContentFile(b"%PDF-1.4 test", name="plan.pdf"),
        renditions={"320": "renditions/nothing.webp"},
    )
    for media in (plain, document):
        info_of(client, media, status=404)
        assert client.get(f"/iiif/image/{media.pk}/full/max/0/default.jpg").status_code == 404


def test_missing_rendition_files_are_not_offered(db, client):
    media = image_with_renditions()
    media.renditions = {**media.renditions, "3200": "renditions/gone/3200.webp"}
    media.save()
    assert [s["width"] for s in info_of(client, media)["sizes"]] == [320, 800, 1600]


@pytest.mark.parametrize(
    "status, published, code",
    [
        (Status.DRAFT, False, 404),
        (Status.REVIEW, False, 404),
        (Status.WITHDRAWN, True, 410),
        (Status.DELETED, True, 410),
        (Status.DELETED, False, 404),  # a tombstone of something never published
    ],
)
def test_images_of_unpublished_assets_are_gone_or_not_found(db, client, status, published, code):
    from django.utils import timezone

    asset = AssetFactory(status=status, published_at=timezone.now() if published else None)
    media = image_with_renditions(asset, width=400, height=300)
    assert client.get(f"/iiif/image/{media.pk}/info.json").status_code == code
    assert client.get(f"/iiif/image/{media.pk}/full/320,240/0/default.jpg").status_code == code
    assert client.get(f"/iiif/image/{media.pk}/full/max/0/default.webp").status_code == code


def test_only_safe_methods_are_allowed(db, client):
    media = image_with_renditions(width=400, height=300)
    assert client.post(f"/iiif/image/{media.pk}/info.json").status_code == 405
    assert client.head(f"/iiif/image/{media.pk}/info.json").status_code == 200


def test_manifest_references_the_image_service_and_stays_valid(db, client, iiif_validator):
    asset = AssetFactory()
    with_service = image_with_renditions(asset, width=400, height=300)
    without = add_image(asset, position=1)  # no renditions: no service
    response = client.get(f"/iiif/{asset.pk}/manifest")
    assert response.status_code == 200
    manifest = response.json()
    errors = sorted(iiif_validator.iter_errors(manifest), key=str)
    assert not errors, errors[0]
    first, second = (c["items"][0]["items"][0]["body"] for c in manifest["items"])
    assert first["service"] == [
        {"id": f"{SITE}/iiif/image/{with_service.pk}", "type": "ImageService3", "profile": "level0"}
    ]
    assert "service" not in second and without.pk
    info = info_of(client, with_service)
    assert info["id"] == first["service"][0]["id"]
    # the painted image is the service's largest size
    assert {"width": first["width"], "height": first["height"]} == info["sizes"][-1]


def test_deleting_the_media_files_removes_the_jpeg_copies_too(db, client):
    from django.core.files.storage import default_storage

    from heco.heritage.media import delete_files

    media = image_with_renditions(width=400, height=300)
    client.get(f"/iiif/image/{media.pk}/full/320,240/0/default.jpg")
    copies = [p.rsplit(".", 1)[0] + ".jpg" for p in media.renditions.values()]
    assert any(default_storage.exists(p) for p in copies)
    delete_files(media)
    assert not any(default_storage.exists(p) for p in copies)
    assert not any(default_storage.exists(p) for p in media.renditions.values())
