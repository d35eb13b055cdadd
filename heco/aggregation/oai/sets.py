"""OAI-PMH sets: by organisation, community, country and kind of asset.

setSpecs are hierarchical (``:`` separates levels): ``org``, ``org:<slug>``, ``community``,
``community:<slug>``, ``country``, ``country:LT``, ``kind``, ``kind:building``. A top-level
set (``org``) holds every record that has a value for it, i.e. all records.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db.models import Q
from django.utils import translation

from heco.heritage.models import Asset
from heco.network.models import Organisation

from ..crosswalks.common import language_map, name_of


@dataclass(frozen=True)
class SetInfo:
    spec: str
    name: str
    names: dict[str, str] | None = None  # language map for setDescription


TOP_SETS = {
    "org": "Organisations",
    "community": "Communities",
    "country": "Countries",
    "kind": "Kinds of heritage asset",
}


# setSpecType of OAI-PMH.xsd (use with fullmatch)
SETSPEC_RE = re.compile(r"[A-Za-z0-9\-_.!~*'()]+(:[A-Za-z0-9\-_.!~*'()]+)*")


class UnknownSet(ValueError):
    pass


def set_filter(spec: str) -> Q:
    """The filter for a setSpec; raises UnknownSet for a spec outside our hierarchy."""
    if not SETSPEC_RE.fullmatch(spec):  # e.g. a NUL, which PostgreSQL refuses to compare
        raise UnknownSet(spec)
    head, sep, value = spec.partition(":")
    if head not in TOP_SETS or (sep and not value) or ":" in value:
        raise UnknownSet(spec)
    if not sep:
        return Q()
    if head == "org":
        # the organisation's id as a constant, so that a page of the set is a range of the
        # (organisation, updated_at, id) index, in order (a join on the slug hides it)
        org_id = Organisation.objects.filter(slug=value).values_list("id", flat=True).first()
        return Q(organisation_id=org_id) if org_id is not None else Q(pk__in=[])
    if head == "community":
        return Q(community__slug=value)
    if head == "country":
        return Q(community__country=value.upper())
    return Q(kind=value)


def record_sets(asset: Asset) -> list[str]:
    """setSpecs of one record (needs organisation and community loaded)."""
    return [
        f"org:{asset.organisation.slug}",
        f"community:{asset.community.slug}",
        f"country:{asset.community.country.upper()}",
        f"kind:{asset.kind}",
    ]


def list_sets(assets) -> list[SetInfo]:
    """Every set that holds at least one exposed record, top levels first."""
    from heco.network.models import Community

    sets = [SetInfo(spec, name) for spec, name in TOP_SETS.items()]
    org_ids = assets.values("organisation_id")
    community_ids = assets.values("community_id")
    for org in Organisation.objects.filter(pk__in=org_ids).order_by("slug"):
        sets.append(SetInfo(f"org:{org.slug}", name_of(org), language_map(org.name)))
    communities = list(Community.objects.filter(pk__in=community_ids).order_by("slug"))
    for community in communities:
        sets.append(
            SetInfo(f"community:{community.slug}", name_of(community), language_map(community.name))
        )
    for country in sorted({c.country.upper() for c in communities}):
        sets.append(SetInfo(f"country:{country}", country))
    labels = dict(Asset.Kind.choices)
    with translation.override("en"):
        for kind in sorted(set(assets.order_by().values_list("kind", flat=True).distinct())):
            sets.append(SetInfo(f"kind:{kind}", str(labels.get(kind, kind))))
    return sets
