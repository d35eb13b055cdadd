"""Small parsing helpers shared by source kinds: kinds, identifiers, points, dates."""

from __future__ import annotations

import re

QID_RE = re.compile(r"(?:wikidata\.org/(?:wiki|entity)/|^wd:|^)(Q[1-9][0-9]*)$")
SCHEME_RE = re.compile(r"^(wikidata|nl-rijksmonument|si-esd|it-iccd|lt-kvr|mt-nicpmi|isil):(.+)$")

KIND_HINTS = (
    ("archaeolog", "archaeological-site"),
    ("monument", "monument"),
    ("memorial", "monument"),
    ("church", "building"),
    ("building", "building"),
    ("castle", "building"),
    ("landscape", "landscape"),
    ("park", "landscape"),
    ("garden", "landscape"),
    ("collection", "collection"),
    ("intangible", "intangible"),
    ("natural", "natural"),
    ("text", "document"),
    ("document", "document"),
    ("archive", "document"),
    ("image", "movable-object"),
    ("physical", "movable-object"),
    ("object", "movable-object"),
    ("3d", "movable-object"),
    ("sound", "intangible"),
)


def kind_from(values) -> str:
    for value in values:
        lowered = value.lower()
        for hint, kind in KIND_HINTS:
            if hint in lowered:
                return kind
    return ""


def identifiers_from(values) -> list[list[str]]:
    found = []
    for value in values:
        value = value.strip()
        match = QID_RE.search(value)
        if match:
            found.append(["wikidata", match.group(1)])
            continue
        match = SCHEME_RE.match(value)
        if match:
            found.append([match.group(1), match.group(2).strip()])
    return found


_NUMBER = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"
# POINT(lon lat), also with Z, M or ZM and their third and fourth numbers
_POINT_WKT = re.compile(
    rf"POINT\s*(?:ZM|Z|M)?\s*\(\s*({_NUMBER})\s+({_NUMBER})(?:\s+{_NUMBER}){{0,2}}\s*\)",
    re.IGNORECASE,
)
_POINT_PAIR = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*[,;]\s*(-?\d+(?:\.\d+)?)\s*$")
_POINT_DCMI = re.compile(r"north=\s*(-?\d+(?:\.\d+)?)\s*;\s*east=\s*(-?\d+(?:\.\d+)?)")


def parse_point(text: str) -> tuple[float, float] | None:
    """(lat, lon) from WKT ``POINT(lon lat)`` (also ``POINT Z (lon lat z)``), ``lat, lon`` or
    DCMI ``north=…; east=…``."""
    match = _POINT_WKT.search(text)
    if match:
        return float(match.group(2)), float(match.group(1))
    match = _POINT_PAIR.match(text) or _POINT_DCMI.search(text)
    if match:
        return float(match.group(1)), float(match.group(2))
    return None
