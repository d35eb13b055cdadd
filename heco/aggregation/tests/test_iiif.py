"""IIIF Presentation 3: manifests for published assets with images, collections by organisation."""

import pytest

from heco.core.models import Status
from heco.testing.factories import AssetFactory

from .conftest import add_image


def get_json(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status
    if status == 200:
        assert response["Access-Control-Allow-Origin"] == "*"
        assert response["Content-Type"].startswith("application/ld+json")
        return response.json()
    return None


def test_manifest_is_valid_and_complete(client, rich_asset, iiif_validator):
    manifest = get_json(client, f"/iiif/{rich_asset.pk}/manifest")
    errors = sorted(iiif_validator.iter_errors(manifest), key=str)
    assert not errors, errors[0]
    assert manifest["id"] == f"http://127.0.0.1:8000/iiif/{rich_asset.pk}/manifest"
    assert manifest["label"] == {k: [v] for k, v in sorted(rich_asset.title.items())}
    assert manifest["summary"]["lt"] == ["Oginskių dvaras."]
    assert manifest["rights"] == "http://creativecommons.org/licenses/by/4.0/"
    assert manifest["requiredStatement"]["value"] == {"none": ["Photo: Jonas Test"]}
    assert {"label": {"en": ["Dating"]}, "value": {"none": ["1879/1880"]}} in manifest["metadata"]
    assert manifest["thumbnail"][0]["type"] == "Image"
    canvases = manifest["items"]
    assert len(canvases) == 2  # the two images; the PDF is not painted
    assert (canvases[0]["width"], canvases[0]["height"]) == (80, 60)
    assert canvases[1]["rights"] == "http://rightsstatements.org/vocab/InC/1.0/"
    annotation = canvases[0]["items"][0]["items"][0]
    assert annotation["motivation"] == "painting"
    assert annotation["target"] == canvases[0]["id"]
    image_url = annotation["body"]["id"]
    assert image_url.startswith("http://127.0.0.1:8000/media/assets/")
    assert manifest["navPlace"]["features"][0]["geometry"]["coordinates"] == [21.8445, 55.9113]


def test_canvas_size_is_read_from_the_file_when_the_model_lacks_it(db, client, iiif_validator):
    asset = AssetFactory(lat=None, lon=None)
    add_image(asset, width=33, height=21, set_size=False)
    manifest = get_json(client, f"/iiif/{asset.pk}/manifest")
    assert not list(iiif_validator.iter_errors(manifest))
    assert (manifest["items"][0]["width"], manifest["items"][0]["height"]) == (33, 21)
    assert manifest["@context"] == "http://iiif.io/api/presentation/3/context.json"


@pytest.mark.parametrize("status", [Status.DRAFT, Status.WITHDRAWN, Status.DELETED])
def test_unpublished_assets_have_no_manifest(db, client, status):
    asset = AssetFactory(status=status)
    add_image(asset)
    get_json(client, f"/iiif/{asset.pk}/manifest", status=404)


def test_assets_without_images_have_no_manifest(db, client):
    get_json(client, f"/iiif/{AssetFactory().pk}/manifest", status=404)


def test_collections_reach_every_manifest(client, rich_asset, iiif_validator):
    without_images = AssetFactory(organisation=rich_asset.organisation)
    other = AssetFactory()
    add_image(other)
    hidden = AssetFactory(status=Status.DRAFT, organisation=other.organisation)
    add_image(hidden)
    top = get_json(client, "/iiif/collection")
    assert not list(iiif_validator.iter_errors(top))
    reached = set()
    for item in top["items"]:
        assert item["type"] == "Collection"
        sub = get_json(client, item["id"].removeprefix("http://127.0.0.1:8000"))
        assert not list(iiif_validator.iter_errors(sub))
        for ref in sub["items"]:
            assert ref["type"] == "Manifest"
            manifest = get_json(client, ref["id"].removeprefix("http://127.0.0.1:8000"))
            assert not list(iiif_validator.iter_errors(manifest))
            reached.add(ref["id"])
    assert reached == {
        f"http://127.0.0.1:8000/iiif/{rich_asset.pk}/manifest",
        f"http://127.0.0.1:8000/iiif/{other.pk}/manifest",
    }
    assert str(without_images.pk) not in str(reached) and str(hidden.pk) not in str(reached)


def test_unknown_organisation_collection_is_not_found(db, client):
    get_json(client, "/iiif/collection/nobody", status=404)


def test_manifest_paints_the_largest_webp_rendition(db, client, iiif_validator):
    from heco.heritage.media import generate_renditions

    asset = AssetFactory()
    media = add_image(asset, width=400, height=300, set_size=False)
    generate_renditions(media)
    manifest = get_json(client, f"/iiif/{asset.pk}/manifest")
    assert not list(iiif_validator.iter_errors(manifest))
    canvas = manifest["items"][0]
    body = canvas["items"][0]["items"][0]["body"]
    assert (canvas["width"], canvas["height"]) == (400, 300)
    assert body["format"] == "image/webp" and body["id"].endswith(".webp")
    assert (body["width"], body["height"]) == (400, 300)  # 1600 maps to the original width
    thumb = manifest["thumbnail"][0]
    assert thumb["id"].endswith("/320.webp") and thumb["format"] == "image/webp"
    assert client.get(body["id"].removeprefix("http://127.0.0.1:8000")).status_code == 200
