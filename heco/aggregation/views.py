"""Data URLs of assets (JSON-LD, EDM RDF/XML, Turtle), IIIF Presentation 3 resources and the
IIIF Image API level 0 services of their images."""

from __future__ import annotations

from django.core.files.storage import default_storage
from django.http import (
    FileResponse,
    Http404,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseNotModified,
    JsonResponse,
)
from django.shortcuts import get_object_or_404, redirect
from django.utils.cache import patch_vary_headers
from django.utils.http import http_date
from django.views.static import was_modified_since

from heco.core.cache import read_only
from heco.core.models import Status
from heco.heritage.models import Asset, Media
from heco.network.models import Organisation

from . import iiif_image, negotiation, selectors
from .crosswalks import common, iiif


def _asset_or_gone(pk) -> Asset | HttpResponse:
    """Published asset, 410 Gone for tombstones of published ones, 404 for anything else."""
    asset = get_object_or_404(selectors.with_crosswalk_relations(selectors.oai_assets()), pk=pk)
    if asset.status != Status.PUBLISHED:
        return HttpResponse(status=410)
    return asset


@read_only
def asset_data(request, pk, extension: str):
    asset = _asset_or_gone(pk)
    if isinstance(asset, HttpResponse):
        return asset
    return negotiation.data_response(asset, negotiation.EXTENSIONS[extension])


@read_only
def asset_resource(request, pk):
    """The asset's linked-data URI: data by content negotiation, else 303 to the web page."""
    asset = _asset_or_gone(pk)
    if isinstance(asset, HttpResponse):
        return asset
    response = negotiation.negotiate(request, asset)
    if response is None:
        response = redirect(common.public_page_url(asset))
        response.status_code = 303
        patch_vary_headers(response, ["Accept"])
    return response


def _iiif_response(data: dict) -> JsonResponse:
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = (
        'application/ld+json;profile="http://iiif.io/api/presentation/3/context.json"'
    )
    response["Access-Control-Allow-Origin"] = "*"
    return response


@read_only
def manifest(request, pk):
    asset = get_object_or_404(
        selectors.with_crosswalk_relations(selectors.published_assets()), pk=pk
    )
    images = selectors.published_images(asset)
    if not images:
        raise Http404("This asset has no images.")
    return _iiif_response(iiif.build_manifest(asset, images))


@read_only
def collection(request):
    orgs = Organisation.objects.filter(
        pk__in=selectors.assets_with_images().values("organisation_id")
    ).order_by("slug")
    items = [
        {
            "id": f"{common.site_url()}/iiif/collection/{org.slug}",
            "type": "Collection",
            "label": iiif.lang_map(org.name, org.slug),
        }
        for org in orgs
    ]
    data = iiif.build_collection(
        f"{common.site_url()}/iiif/collection",
        {"none": [common.provider_name()]},
        items,
    )
    return _iiif_response(data)


@read_only
def organisation_collection(request, slug):
    org = get_object_or_404(Organisation, slug=slug)
    assets = (
        selectors.assets_with_images()
        .filter(organisation=org)
        .order_by("slug")
        .only("id", "slug", "title")
    )
    data = iiif.build_collection(
        f"{common.site_url()}/iiif/collection/{org.slug}",
        iiif.lang_map(org.name, org.slug),
        [iiif.manifest_reference(a) for a in assets],
        summary=iiif.lang_map(org.description) or None,
    )
    data["partOf"] = [{"id": f"{common.site_url()}/iiif/collection", "type": "Collection"}]
    return _iiif_response(data)


# --- IIIF Image API 3.0, level 0 ------------------------------------------------------------

IMAGE_INFO_CACHE = "public, max-age=900"
IMAGE_CACHE = "public, max-age=86400"


def _image_media(media_id: int) -> Media | HttpResponse:
    """An image (with renditions) of a published asset; 410 Gone when its asset was published
    and is now withdrawn or deleted, 404 for anything else."""
    media = Media.objects.select_related("asset").filter(pk=media_id).first()
    if media is None or not iiif_image.has_service(media):
        raise Http404("No image service.")
    if media.asset.status == Status.PUBLISHED:
        return media
    if media.asset.status in selectors.TOMBSTONE_STATUSES and media.asset.published_at:
        return HttpResponse(status=410)
    raise Http404("No image service.")


def _available_sizes(media: Media) -> list[iiif_image.Size]:
    available = iiif_image.sizes(media)
    if not available:
        raise Http404("No rendition of this image exists.")
    return available


@read_only
def image_service(request, media_id: int):
    """The service's base URI: 303 to its image information (Image API 3.0, section 2.2)."""
    response = redirect("aggregation:iiif-image-info", media_id=media_id)
    response.status_code = 303
    response["Access-Control-Allow-Origin"] = "*"
    return response


@read_only
def image_info(request, media_id: int):
    media = _image_media(media_id)
    if isinstance(media, HttpResponse):
        return media
    data = iiif_image.info(media, _available_sizes(media))
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = f'application/ld+json;profile="{iiif_image.CONTEXT}"'
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = IMAGE_INFO_CACHE
    return response


@read_only
def image(request, media_id: int, region: str, size: str, rotation: str, filename: str):
    """``{region}/{size}/{rotation}/{quality}.{format}``: a pre-made rendition or nothing."""
    media = _image_media(media_id)
    if isinstance(media, HttpResponse):
        return media
    quality, _dot, fmt = filename.rpartition(".")
    try:
        chosen = iiif_image.select(_available_sizes(media), region, size, rotation, quality, fmt)
    except iiif_image.BadRequest as error:
        return HttpResponseBadRequest(str(error), content_type="text/plain; charset=utf-8")
    if chosen is None:
        raise Http404("This size is not offered; see info.json for the sizes.")
    path = chosen.path if fmt == "webp" else iiif_image.jpeg_path(chosen)
    modified = default_storage.get_modified_time(path).timestamp()
    if not was_modified_since(request.META.get("HTTP_IF_MODIFIED_SINCE"), modified):
        response = HttpResponseNotModified()
    else:
        response = FileResponse(
            default_storage.open(path, "rb"), content_type=iiif_image.FORMATS[fmt]
        )
    response["Last-Modified"] = http_date(modified)
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = IMAGE_CACHE
    return response
