"""Public reads for routes and passes: published records only, relations joined, a fixed
number of queries whatever the number of stops or benefits."""

from __future__ import annotations

from django.db.models import Prefetch

from heco.core.models import Status
from heco.systems.models import HeritagePass, PassBenefit, Route, RouteStop

ROUTE_LIST_LIMIT = 200
PASS_LIST_LIMIT = 100


def stops_prefetch():
    return Prefetch(
        "stops",
        queryset=RouteStop.objects.select_related(
            "asset",
            "asset__community",
            "service",
            "service__asset",
            "service__organisation",
            "service__organisation__community",
            "place_organisation",
            "place_organisation__community",
        ).order_by("position", "id"),
    )


def route_queryset():
    """Routes (any status: the view tells tombstones from drafts) with stops and owners."""
    return Route.objects.select_related(
        "organisation", "organisation__community", "network"
    ).prefetch_related(stops_prefetch(), "partners")


def published_routes(limit: int = ROUTE_LIST_LIMIT):
    return list(route_queryset().filter(status=Status.PUBLISHED).order_by("slug")[:limit])


def pass_queryset():
    return HeritagePass.objects.select_related(
        "organisation", "organisation__community", "network"
    ).prefetch_related(
        Prefetch(
            "benefits",
            queryset=PassBenefit.objects.select_related(
                "organisation", "organisation__community", "asset"
            ).order_by("position", "id"),
        )
    )


def published_passes(limit: int = PASS_LIST_LIMIT):
    return list(
        HeritagePass.objects.filter(status=Status.PUBLISHED)
        .select_related("network")
        .order_by("slug")[:limit]
    )
