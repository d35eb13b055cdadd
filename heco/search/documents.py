"""Build the indexable document of an asset: text fields, facet values and static weight.

``build_documents(asset_ids)`` loads everything for a batch of assets in a fixed number of
queries (assets with organisation and community, identifiers, services, media) whatever the
batch size, and returns one ``IndexDocument`` per *published* asset. Assets that are missing or
not published get no document; the caller removes them from the index.
"""

from __future__ import annotations

import functools
import json
import math
import unicodedata
import uuid
from collections import defaultdict
from dataclasses import dataclass

from django.db import connection

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
    """One asset's document. The derived fields (``keys``…) are computed once and travel
    with the document when it is pickled (documents built in the harvest's fetching process,
    see ``new_asset_document``)."""

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

    @functools.cached_property
    def themes_field(self) -> str:
        return joined(self.themes)

    @functools.cached_property
    def accessibility_field(self) -> str:
        return joined(self.accessibility)

    @functools.cached_property
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

    @functools.cached_property
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
    """The texts of language maps (and plain strings), in language-tag order: the same
    whatever order the database keeps a map's keys in (PostgreSQL's jsonb sorts them)."""
    out = []
    for value in maps:
        if isinstance(value, dict):
            out.extend(v for _k, v in sorted(value.items()) if isinstance(v, str) and v.strip())
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


# what a document is built from, read as plain values (no model instances: at harvest and
# rebuild sizes, building instances cost more than the rest of the indexing together)
ASSET_VALUES = (
    "id",
    "slug",
    "title",
    "summary",
    "description",
    "designation",
    "tags",
    "themes",
    "kind",
    "start_year",
    "end_year",
    "lat",
    "lon",
    "featured",
    "organisation__slug",
    "organisation__name",
    "community__slug",
    "community__name",
    "community__country",
)


def build_documents(asset_ids) -> list[IndexDocument]:
    from heco.heritage.models import Asset, ExternalIdentifier, Media
    from heco.programme.models import Service

    ids = list(asset_ids)
    if not ids:
        return []
    # by primary key only, the status tested here: without planner statistics (a database
    # just filled by a harvest) SQLite would read every published asset through a status index
    rows = [
        row[:-1]
        for row in _asset_rows(
            Asset.objects.filter(id__in=ids).order_by().values_list(*ASSET_VALUES, "status")
        )
        if row[-1] == Status.PUBLISHED
    ]
    if not rows:
        return []
    found = [row[0] for row in rows]
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
        Media.objects.filter(asset_id__in=found)
        .order_by()
        .values_list("asset_id", flat=True)
        .distinct()
    )
    return [
        _document(row, identifiers[row[0]], accessibility[row[0]], row[0] in with_media)
        for row in rows
    ]


_JSON_COLUMNS = [ASSET_VALUES.index(name) for name in (
    "title", "summary", "description", "designation", "tags", "themes",
    "organisation__name", "community__name",
)]  # fmt: skip


def _asset_rows(queryset) -> list[list]:
    """The rows of a ``values_list`` queryset over ASSET_VALUES, run as its SQL with the JSON
    decoded here: Django's per-value converters cost as much as the rest of the indexing."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = [list(row) for row in cursor.fetchall()]
    loads = json.loads
    for row in rows:
        if not isinstance(row[0], uuid.UUID):
            row[0] = uuid.UUID(row[0])
        for i in _JSON_COLUMNS:
            value = row[i]
            if isinstance(value, str | bytes):
                row[i] = loads(value)
    return rows


def new_asset_document(
    values: dict, *, slug: str, identifiers, organisation: tuple, community: tuple
) -> IndexDocument:
    """The document of an asset about to be created from ``values`` (model field -> value,
    fields left out take their defaults): what ``build_documents`` will read back once it is
    stored, for an asset that is published, not featured, with no services and no media yet.

    Pure (no database): the harvest builds these in its fetching process, ahead of the writer,
    with ``asset_id`` None until the writer gives the asset its id. ``organisation`` is
    (slug, name), ``community`` (slug, name, country).
    """
    from heco.heritage.models import Asset

    row = [None, slug]
    for name in ASSET_VALUES[2:13]:  # title … lon
        row.append(values[name] if name in values else Asset._meta.get_field(name).get_default())
    row += [False, *organisation, *community]  # featured, organisation, community
    doc = _document(row, identifiers, (), False)
    doc.keys, doc.facet_bits  # noqa: B018 - computed here, not in the writer
    doc.themes_field, doc.accessibility_field  # noqa: B018
    return doc


def _document(row, identifiers, accessibility, has_media) -> IndexDocument:
    (
        asset_id, slug, title_map, summary, description, designation, tags, themes, kind,
        start, end, lat, lon, featured, org_slug, org_name, community_slug, community_name,
        country,
    ) = row  # fmt: skip
    title = _unique_join(_texts(title_map))
    meta = _unique_join(
        _texts(org_name, community_name, designation)
        + [t for t in (tags or []) if isinstance(t, str)]
        + sorted(identifiers)
    )
    body = _unique_join(_texts(summary, description))
    if start is None:
        start = end
    if end is None:
        end = start
    languages = len({k.split("-")[0] for k, v in (title_map or {}).items() if v})
    sort_title = fold(pick(title_map, "en").text or slug)[:255]
    return IndexDocument(
        asset_id=asset_id,
        title=title,
        meta=meta,
        body=body,
        country=(country or "").upper(),
        community=community_slug,
        organisation=org_slug,
        kind=kind,
        themes=[t for t in (themes or []) if isinstance(t, str)],
        accessibility=sorted(accessibility),
        start_year=start,
        end_year=end,
        lat=lat,
        lon=lon,
        weight=static_weight(
            featured=featured,
            has_media=has_media,
            text_length=len(body),
            languages=languages,
        ),
        sort_title=sort_title,
    )
