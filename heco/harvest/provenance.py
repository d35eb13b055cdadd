"""Who provided an asset: for the asset page's "Provided by … via …" line."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from heco.core.langmap import pick
from heco.harvest.models import SourceRecord


@dataclass(frozen=True)
class Provenance:
    provider: str  # the data provider (the institution)
    aggregator: str  # the intermediate aggregator, "" when harvested directly
    source: str  # the harvest source, as named in the back office
    source_kind: str
    identifier: str  # the record's identifier at the source
    fetched_at: datetime
    deleted: bool
    link: str  # the record's page at the provider (edm:isShownAt / url), when known


def provenance_for(asset, lang: str | None = None) -> list[Provenance]:
    """Every source that sent ``asset`` (a merged asset has several), origin first.

    One query. The provider is the data provider the record names (``edm:dataProvider``)
    when it names one, else the source's organisation; the aggregator is the one the record
    names (``edm:provider``) when it differs from the provider, else the source's.
    """
    rows = (
        SourceRecord.objects.filter(asset=asset)
        .select_related("source__organisation")
        .order_by("-is_origin", "fetched_at")
    )
    out = []
    for record in rows:
        source = record.source
        extras = (record.harvested or {}).get("extras", {})
        organisation = pick(source.organisation.name, lang).text or source.organisation.slug
        provider = extras.get("data_provider") or organisation
        aggregator = extras.get("provider") or source.aggregator
        if aggregator == provider:
            aggregator = source.aggregator if source.aggregator != provider else ""
        links = extras.get("links") or {}
        out.append(
            Provenance(
                provider=str(provider),
                aggregator=str(aggregator or ""),
                source=str(source),
                source_kind=source.kind,
                identifier=record.identifier,
                fetched_at=record.fetched_at,
                deleted=record.deleted,
                link=str(links.get("isShownAt") or extras.get("url") or ""),
            )
        )
    return out
