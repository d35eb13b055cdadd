"""Filter keys: facet values and map grid cells as words of the full-text index.

A filter that is selective next to a common word ("castle" in one community, or inside the
visible map box) used to be applied row by row after the word's doclist: at 1,000,000
documents the word matched ~460,000 of them and the filter kept 1 in 50, so ~100,000 rows were
read to find the first 2,000 (about 2 s). Instead every document carries *keys* in a fourth
full-text field, ``search_text.keys`` (FTS5 column ``keys``; PostgreSQL lexemes of weight C):

* one key per facet value: country, community, organisation, kind, each theme and each
  accessibility value (``qqxcit`` = country IT, ``qqxkbuilding`` = kind building …);
* one key per grid cell the point lies in, at four cell sizes (4°, 1°, 0.25°, 0.0625°).

A query ANDs its words with one OR group per filter (``"castle"* AND keys : (qqxcit OR
qqxcnl)``), so the full-text engine intersects doclists and hands back only documents that
pass every filter, still in docid (= weight) order. A bounding box becomes the OR of the cells
that cover it at the finest size needing at most ``MAX_CELLS`` cells. Keys only narrow: the
exact SQL filters (``IN``, ``lat BETWEEN``, haversine …) are still applied to what they return,
so a key collision or a coarse cell never changes a result, it only costs a few extra rows.
The period filter (a range) and "open now" (a computed id list) have no keys.

User words never reach the keys: a word that starts with the marker (or a type-ahead prefix
that could expand to it) is matched in the three text fields only (see ``collides``).
"""

from __future__ import annotations

import functools
import math
import re

from heco.core.geo import bbox_around
from heco.search.documents import fold

MARKER = "qqx"
CODES = {
    "country": "c",
    "community": "m",
    "organisation": "o",
    "kind": "k",
    "theme": "t",
    "accessibility": "a",
}
CELL_SIZES = ((1, 4.0), (2, 1.0), (3, 0.25), (4, 0.0625))  # (level, degrees), coarse to fine
MAX_CELLS = 24  # a box needing more cells at the coarsest size gets no key (it is not selective)
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


@functools.lru_cache(maxsize=8192)  # a few hundred values, each in many documents
def facet_key(facet: str, value: str) -> str:
    """``("kind", "building")`` -> ``qqxkbuilding``; letters and digits only, lower case."""
    return MARKER + CODES[facet] + _NOT_ALNUM.sub("", fold(str(value)))


def _cell_index(value: float, offset: float, size: float, top: float) -> int:
    return int(math.floor((min(value, top) + offset) / size))


def cell_key(level: int, size: float, lat: float, lon: float) -> str:
    row = _cell_index(lat, 90.0, size, 90.0 - 1e-9)
    col = _cell_index(lon, 180.0, size, 180.0 - 1e-9)
    return f"{MARKER}g{level}a{row}b{col}"


def document_keys(
    *, country, community, organisation, kind, themes, accessibility, lat, lon
) -> str:
    """The keys of one document, space separated (the ``keys`` field's text)."""
    keys = []
    for facet, value in (
        ("country", country),
        ("community", community),
        ("organisation", organisation),
        ("kind", kind),
    ):
        if value:
            keys.append(facet_key(facet, value))
    keys += [facet_key("theme", v) for v in themes or () if v]
    keys += [facet_key("accessibility", v) for v in accessibility or () if v]
    if lat is not None and lon is not None and -90 <= lat <= 90 and -180 <= lon <= 180:
        keys += [cell_key(level, size, lat, lon) for level, size in CELL_SIZES]
    return " ".join(dict.fromkeys(keys))


def box_keys(min_lon, min_lat, max_lon, max_lat) -> list[str] | None:
    """Cells covering the box at the finest size with at most MAX_CELLS cells; None when
    the box crosses the antimeridian, spans the world or needs too many cells."""
    if min_lon < -180 or max_lon > 180 or min_lon > max_lon or min_lat > max_lat:
        return None
    min_lat, max_lat = max(-90.0, min_lat), min(90.0, max_lat)
    for level, size in reversed(CELL_SIZES):
        rows = range(
            _cell_index(min_lat, 90.0, size, 90 - 1e-9),
            _cell_index(max_lat, 90.0, size, 90 - 1e-9) + 1,
        )
        cols = range(
            _cell_index(min_lon, 180.0, size, 180 - 1e-9),
            _cell_index(max_lon, 180.0, size, 180 - 1e-9) + 1,
        )
        if len(rows) * len(cols) <= MAX_CELLS:
            return [f"{MARKER}g{level}a{r}b{c}" for r in rows for c in cols]
    return None


def query_groups(query) -> dict[str, list[str]]:
    """Key groups of a SearchQuery's filters: facet name (or "box") -> keys, any of which
    must match. Filters without keys (period, open now, huge boxes) are not listed."""
    groups: dict[str, list[str]] = {}
    values = {
        "country": [c.upper() for c in query.country],
        "community": query.community,
        "organisation": query.organisation,
        "kind": query.kind,
        "theme": query.theme,
        "accessibility": query.accessibility,
    }
    for facet, chosen in values.items():
        keys = [facet_key(facet, v) for v in dict.fromkeys(chosen) if v]
        if keys:
            groups[facet] = list(dict.fromkeys(keys))
    boxes = []
    if query.bbox:
        boxes.append(box_keys(*query.bbox))
    if query.near:
        boxes.append(box_keys(*bbox_around(*query.near)))
    boxes = [b for b in boxes if b]
    if boxes:
        # with both a box and "near", the tighter cover is enough (both are still tested in SQL)
        groups["box"] = min(boxes, key=len)
    return groups


def collides(terms: list[str], prefix: bool) -> bool:
    """Could these user words match a key? (Then they are matched in the text fields only.)"""
    if any(t.startswith(MARKER) for t in terms):
        return True
    return bool(prefix and terms and MARKER.startswith(terms[-1]) and len(terms[-1]) >= 2)
