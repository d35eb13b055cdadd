"""Data URLs of assets (JSON-LD, EDM RDF/XML, Turtle) and IIIF Presentation 3 resources."""

from __future__ import annotations

from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_safe

from heco.core.models import Status
from heco.heritage.models import Asset
from heco.network.models import Organisation

from . import negotiation, selectors
from .crosswalks import common, iiif


def _asset_or_gone(pk) -> Asset | HttpResponse:
    """Published asset, 410 Gone for tombstones of published ones, 404 for anything else."""
    asset = get_object_or_404(selectors.with_crosswalk_relations(selectors.oai_assets()), pk=pk)
    if asset.status != Status.PUBLISHED:
        return HttpResponse(status=410)
    return asset


@require_safe
def asset_data(request, pk, extension: str):
    asset = _asset_or_gone(pk)
    if isinstance(asset, HttpResponse):
        return asset
    return negotiation.data_response(asset, negotiation.EXTENSIONS[extension])


@require_safe
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


@require_safe
def manifest(request, pk):
    asset = get_object_or_404(
        selectors.with_crosswalk_relations(selectors.published_assets()), pk=pk
    )
    images = selectors.published_images(asset)
    if not images:
        raise Http404("This asset has no images.")
    return _iiif_response(iiif.build_manifest(asset, images))


@require_safe
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


@require_safe
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
