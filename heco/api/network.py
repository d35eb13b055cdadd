"""``/organisations``, ``/communities``, ``/networks``: all public, list and detail."""

from __future__ import annotations

import uuid

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from ninja import Query, Router

from heco.api.common import language_maps, paginate, ref
from heco.api.schemas import (
    CommunityOut,
    CommunityPage,
    LangParams,
    Message,
    NetworkOut,
    NetworkPage,
    OrganisationOut,
    OrganisationPage,
    PageParams,
    ValidationErrors,
)
from heco.api.urls_helper import public_url
from heco.network.models import Community, Network, Organisation

router = Router()

LIST = {"exclude_unset": True}


# --- communities -------------------------------------------------------------------------


def community_item(community: Community, lang: str | None) -> dict:
    default = community.default_language
    return {
        "id": community.id,
        "slug": community.slug,
        "url": public_url("community", community.slug, lang),
        **language_maps(lang, default, name=community.name, description=community.description),
        "kind": community.kind,
        "country": community.country,
        "parent": ref("community", community.parent, lang, default),
        "default_language": community.default_language,
        "lat": community.lat,
        "lon": community.lon,
    }


def communities():
    return Community.objects.select_related("parent").order_by("country", "slug", "id")


@router.get(
    "/communities",
    response={200: CommunityPage, 422: ValidationErrors},
    tags=["communities"],
    summary="List communities",
    **LIST,
)
def list_communities(request, page: Query[PageParams], params: Query[LangParams]):
    items, count = paginate(communities(), page.limit, page.offset)
    return {"items": [community_item(c, params.lang) for c in items], "count": count}


@router.get(
    "/communities/{id}",
    response={200: CommunityOut, 404: Message, 422: ValidationErrors},
    tags=["communities"],
    summary="One community",
    **LIST,
)
def get_community(request, id: uuid.UUID, params: Query[LangParams]):
    return community_item(get_object_or_404(communities(), id=id), params.lang)


# --- organisations -----------------------------------------------------------------------


def organisation_item(org: Organisation, lang: str | None) -> dict:
    default = org.community.default_language
    return {
        "id": org.id,
        "slug": org.slug,
        "url": public_url("organisation", org.slug, lang),
        **language_maps(lang, default, name=org.name, description=org.description),
        "kind": org.kind,
        "community": ref("community", org.community, lang, default),
        "country": org.community.country,
        "address": org.address,
        "lat": org.lat,
        "lon": org.lon,
        "website": org.website,
        "email": org.email,
        "phone": org.phone,
        "isil": org.isil,
    }


def organisations():
    return Organisation.objects.select_related("community").order_by("slug", "id")


@router.get(
    "/organisations",
    response={200: OrganisationPage, 422: ValidationErrors},
    tags=["organisations"],
    summary="List organisations",
    **LIST,
)
def list_organisations(request, page: Query[PageParams], params: Query[LangParams]):
    items, count = paginate(organisations(), page.limit, page.offset)
    return {"items": [organisation_item(o, params.lang) for o in items], "count": count}


@router.get(
    "/organisations/{id}",
    response={200: OrganisationOut, 404: Message, 422: ValidationErrors},
    tags=["organisations"],
    summary="One organisation",
    **LIST,
)
def get_organisation(request, id: uuid.UUID, params: Query[LangParams]):
    return organisation_item(get_object_or_404(organisations(), id=id), params.lang)


# --- networks ----------------------------------------------------------------------------


def network_item(network: Network, lang: str | None) -> dict:
    default = network.default_language
    return {
        "id": network.id,
        "slug": network.slug,
        "url": public_url("network", network.slug, lang),
        **language_maps(lang, default, name=network.name, description=network.description),
        "default_language": network.default_language,
        "website": network.website,
        "organisations": [
            ref("organisation", o, lang, default) for o in network.organisations.all()
        ],
    }


def networks():
    members = Prefetch("organisations", queryset=Organisation.objects.order_by("slug"))
    return Network.objects.prefetch_related(members).order_by("slug", "id")


@router.get(
    "/networks",
    response={200: NetworkPage, 422: ValidationErrors},
    tags=["networks"],
    summary="List networks",
    **LIST,
)
def list_networks(request, page: Query[PageParams], params: Query[LangParams]):
    items, count = paginate(networks(), page.limit, page.offset)
    return {"items": [network_item(n, params.lang) for n in items], "count": count}


@router.get(
    "/networks/{id}",
    response={200: NetworkOut, 404: Message, 422: ValidationErrors},
    tags=["networks"],
    summary="One network with its organisations",
    **LIST,
)
def get_network(request, id: uuid.UUID, params: Query[LangParams]):
    return network_item(get_object_or_404(networks(), id=id), params.lang)
