"""Build the indexable document of an asset: text fields, facet values and static weight.

``build_documents(asset_ids)`` loads everything for a batch of assets in a fixed number of
queries (assets with organisation and community, identifiers, services, media) whatever the
batch size, and returns one ``IndexDocument`` per *published* asset. Assets that are missing or
not published get no document; the caller removes them from the index.
"""

from __future__ import annotations

import math
import unicodedata
import uuid
from collections import defaultdict
from dataclasses import dataclass

from heco.core.langmap import pick
from heco.core.models import Status

# static weight: each part in [0, 1], the weight is their weighted sum (also in [0, 1])
WEIGHT_FEATURED = 0.4
WEIGHT_MEDIA = 0.25
WEIGHT_TEXT = 0.2  # grows with the length of the description, saturating at TEXT_SATURATION
WEIGHT_LANGUAGES = 0.15  # grows with the number of title/summary languages, saturating at 6
TEXT_SATURATION = 3000  # characters


@dataclass
class IndexDocument:
    asset_id: uuid.UUID
    title: str
    meta: str
    body: str
    country: str
    community: str
    organisation: str
    kind: str
    themes: list[str]
    accessibility: list[str]
    start_year: int | None
    end_year: int | None
    lat: float | None
    lon: float | None
    weight: float
    sort_title: str

    @property
    def themes_field(self) -> str:
        return joined(self.themes)

    @property
    def accessibility_field(self) -> str:
        return joined(self.accessibility)

    @property
    def keys(self) -> str:
        from heco.search.keys import document_keys

        return document_keys(
            country=self.country,
            community=self.community,
            organisation=self.organisation,
            kind=self.kind,
            themes=self.themes,
            accessibility=self.accessibility,
            lat=self.lat,
            lon=self.lon,
        )

    @property
    def facet_bits(self) -> int:
        from heco.search.backends.common import facet_bits

        return facet_bits(self.themes, self.accessibility)


def joined(values) -> str:
    """``["a", "b"]`` -> ``"|a|b|"`` (empty list -> ``""``): membership is ``LIKE '%|a|%'``."""
    values = sorted({v for v in values if isinstance(v, str) and v and "|" not in v})
    return "|" + "|".join(values) + "|" if values else ""


def split(value: str | None) -> list[str]:
    return [v for v in (value or "").split("|") if v]


def fold(text: str) -> str:
    """Lower case without diacritics, for sort keys."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _texts(*maps) -> list[str]:
    out = []
    for value in maps:
        if isinstance(value, dict):
            out.extend(v for v in value.values() if isinstance(v, str) and v.strip())
        elif isinstance(value, str) and value.strip():
            out.append(value)
    return out


def _unique_join(parts) -> str:
    seen, out = set(), []
    for part in parts:
        part = unicodedata.normalize("NFC", part).strip()
        if part and part not in seen:
            seen.add(part)
            out.append(part)
    return "\n".join(out)


def static_weight(*, featured: bool, has_media: bool, text_length: int, languages: int) -> float:
    text = min(1.0, math.log1p(max(text_length, 0)) / math.log1p(TEXT_SATURATION))
    return round(
        WEIGHT_FEATURED * bool(featured)
        + WEIGHT_MEDIA * bool(has_media)
        + WEIGHT_TEXT * text
        + WEIGHT_LANGUAGES * min(1.0, languages / 6),
        6,
    )


def build_documents(asset_ids) -> list[IndexDocument]:
    from heco.heritage.models import Asset, ExternalIdentifier, Media
    from heco.programme.models import Service

    ids = list(asset_ids)
    if not ids:
        return []
    assets = list(
        Asset.objects.filter(id__in=ids, status=Status.PUBLISHED).select_related(
            "organisation", "community"
        )
    )
    if not assets:
        return []
    found = [a.id for a in assets]
    identifiers = defaultdict(list)
    for asset_id, value in ExternalIdentifier.objects.filter(asset_id__in=found).values_list(
        "asset_id", "value"
    ):
        identifiers[asset_id].append(value)
    accessibility = defaultdict(set)
    for asset_id, values in Service.objects.filter(
        asset_id__in=found, status=Status.PUBLISHED
    ).values_list("asset_id", "accessibility"):
        if isinstance(values, list):
            accessibility[asset_id].update(v for v in values if isinstance(v, str))
    with_media = set(
        Media.objects.filter(asset_id__in=found).values_list("asset_id", flat=True).distinct()
    )
    return [
        _document(a, identifiers[a.id], accessibility[a.id], a.id in with_media) for a in assets
    ]


def _document(asset, identifiers, accessibility, has_media) -> IndexDocument:
    org, community = asset.organisation, asset.community
    title = _unique_join(_texts(asset.title))
    meta = _unique_join(
        _texts(org.name, community.name, asset.designation)
        + [t for t in (asset.tags or []) if isinstance(t, str)]
        + list(identifiers)
    )
    body = _unique_join(_texts(asset.summary, asset.description))
    start, end = asset.start_year, asset.end_year
    if start is None:
        start = end
    if end is None:
        end = start
    languages = len({k.split("-")[0] for k, v in (asset.title or {}).items() if v})
    sort_title = fold(pick(asset.title, "en").text or asset.slug)[:255]
    return IndexDocument(
        asset_id=asset.id,
        title=title,
        meta=meta,
        body=body,
        country=(community.country or "").upper(),
        community=community.slug,
        organisation=org.slug,
        kind=asset.kind,
        themes=[t for t in (asset.themes or []) if isinstance(t, str)],
        accessibility=sorted(accessibility),
        start_year=start,
        end_year=end,
        lat=asset.lat,
        lon=asset.lon,
        weight=static_weight(
            featured=asset.featured,
            has_media=has_media,
            text_length=len(body),
            languages=languages,
        ),
        sort_title=sort_title,
    )
