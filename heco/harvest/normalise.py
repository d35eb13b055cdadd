"""Validation and normalisation of parsed records, the same for every source kind.

``prepare(record, ...)`` turns a HarvestedRecord's raw ``fields`` into model field values plus
extras (rights, identifiers, links…), or raises ``RecordError`` with the reason. Bad rights
never reject a record: it comes in as Copyright Not Evaluated, flagged for review, with the
original value kept.
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.utils.text import slugify

from heco.core.geo import valid_point
from heco.core.langmap import clean_language_map, normalise_language_tag, pick
from heco.core.rights import COPYRIGHT_NOT_EVALUATED, normalise_rights
from heco.core.text import xml_text
from heco.heritage.models import Asset, ExternalIdentifier

ASSET_FIELDS = (
    "title",
    "summary",
    "description",
    "kind",
    "address",
    "lat",
    "lon",
    "dating",
    "start_year",
    "end_year",
    "tags",
)
EVENT_FIELDS = (
    "title",
    "description",
    "start",
    "end",
    "timezone",
    "all_day",
    "rrule",
    "exdates",
    "last_occurrence",
    "registration_url",
)
LANGMAP_FIELDS = {"title", "summary", "description"}
# "undetermined", "no linguistic content", "multiple", "uncoded": as good as untagged
UNKNOWN_LANGUAGES = {"und", "zxx", "mul", "mis"}
MAX_EXDATES = 500  # cancelled or moved occurrences kept per series
# the value a field has when a record does not send it
EMPTY = {
    "title": {},
    "summary": {},
    "description": {},
    "kind": "",
    "address": "",
    "lat": None,
    "lon": None,
    "dating": "",
    "start_year": None,
    "end_year": None,
    "tags": [],
    "end": None,
    "timezone": "",
    "all_day": False,
    "rrule": "",
    "exdates": [],
    "last_occurrence": None,
    "registration_url": "",
}
EXTRA_KEYS = (
    "identifiers",
    "rights",
    "links",
    "language",
    "data_provider",
    "provider",
    "creator",
    "location",
    "organisation",
    "url",
    "location_point",
)
SCHEMES = set(ExternalIdentifier.Scheme.values)
KINDS = set(Asset.Kind.values)


# the same few tags come in every record: normalise each once
_language_tag = functools.lru_cache(maxsize=4096)(normalise_language_tag)


class RecordError(ValueError):
    """A record that cannot go in; the message is the reason in the run report."""


@dataclass
class Prepared:
    values: dict  # model field -> value
    extras: dict = field(default_factory=dict)
    review: list[str] = field(default_factory=list)
    slug: str = ""  # for a new asset/event, set by Ingestor.prepare_records
    # harvested() as canonical JSON and its content hash, made once by fingerprint() (ahead,
    # in the fetching process); the dict itself is not kept, so it does not cross over
    snapshot_json: str = ""
    digest: str = ""

    def harvested(self) -> dict:
        return {"fields": {k: jsonable(v) for k, v in self.values.items()}, "extras": self.extras}

    def fingerprint(self) -> str:
        """The content hash of harvested() (change detection), computed once, with the
        canonical JSON it hashes, which is what the source record stores."""
        from heco.harvest.sources.base import canonical_json

        if not self.digest:
            self.snapshot_json = canonical_json(self.harvested())
            self.digest = hashlib.sha1(self.snapshot_json.encode()).hexdigest()  # noqa: S324 - change detection only
        return self.digest


def jsonable(value):
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    return value


_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_WORD = re.compile(r"\w+")


def normalise_title_key(text: str) -> str:
    """Case-folded, diacritics removed, punctuation collapsed: for duplicate detection."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return " ".join(_WORD.findall(_COMBINING.sub("", decomposed)))


def title_keys(title: dict) -> frozenset:
    """The normalised keys of a title map's texts (``normalise_title_key``)."""
    return frozenset(normalise_title_key(text) for text in (title or {}).values() if text)


def language_map(value, default_lang: str) -> dict:
    if isinstance(value, str):
        value = {"": value}
    if not isinstance(value, dict):
        return {}
    out: dict = {}
    for key, text in value.items():
        tag = _language_tag(key) if isinstance(key, str) and key else None
        if not tag or tag in UNKNOWN_LANGUAGES:
            tag = default_lang
        if isinstance(text, str) and text.strip() and tag not in out:
            out[tag] = text.strip()
    return clean_language_map(out)


_YEAR = re.compile(r"^(-?\d{1,4})$")
_RANGE = re.compile(r"^(-?\d{1,4})\s*[/–-]\s*(-?\d{1,4})$")
_DATE = re.compile(r"^(\d{4})-(?:0[1-9]|1[0-2])(?:-\d{2})?(?:T.*)?$")
# "ca. 1850", "[1850]", "1850 m." (Lithuanian "metai"): the year itself
_QUALIFIED = re.compile(r"^\[?(?:(?:ca?\.|ca|circa|approx\.)\s*)?(\d{3,4})(?:\s*m\.)?\]?$", re.I)
_DECADE = re.compile(r"^(\d{3})0'?s$")
# "18th century", "XVIII a.", "18. Jh.", "s. XVIII", "XVIII–XIX a.": a century, or two
_C = r"(\d{1,2}|[IVXLC]+)(?:st|nd|rd|th|\.)?"
_CENTURY_AFTER = re.compile(
    rf"^{_C}(?:\s*[–/-]\s*{_C})?\s*"
    r"(?:century|cent\.|c\.|a\.|amž\.|amžius|jh\.|jahrhundert|secolo|siècle|sec\.|s\.|w\.)$",
    re.I,
)
_CENTURY_BEFORE = re.compile(rf"^(?:s|sec|saec|sek)\.\s*{_C}(?:\s*[–/-]\s*{_C})?$", re.I)
_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}


def _century(token: str) -> int:
    if token.isdigit():
        return int(token)
    values = [_ROMAN[c] for c in token.upper()]
    return sum(-v if v < after else v for v, after in zip(values, values[1:] + [0], strict=True))


def years_from_dating(dating: str) -> tuple[int | None, int | None]:
    """Start and end years of a dating: EDTF, and what registers write ("ca. 1850",
    "1850-60", "1920s", "18th century" = 1700-1799 like EDTF's 17XX, "s. XVIII")."""
    text = dating.strip()
    match = _YEAR.match(text) or _DATE.match(text) or _QUALIFIED.match(text)
    if match:
        year = int(match.group(1))
        return year, year
    match = _RANGE.match(text)
    if match:
        start, end = int(match.group(1)), int(match.group(2))
        short = match.group(2)
        if 0 < end < start and len(short) < len(match.group(1)):  # 1850-60, 1895-05
            end = int(str(start)[: -len(short)] + short)
            if end < start:
                end += 10 ** len(short)
        return (start, end) if start <= end else (None, None)
    match = _DECADE.match(text)
    if match:
        return int(match.group(1)) * 10, int(match.group(1)) * 10 + 9
    match = _CENTURY_AFTER.match(text) or _CENTURY_BEFORE.match(text)
    if match:
        first = _century(match.group(1))
        last = _century(match.group(2)) if match.group(2) else first
        if 0 < first <= last <= 30:
            return (first - 1) * 100, last * 100 - 1
    try:
        from edtf import parse_edtf

        parsed = parse_edtf(text)
        lower, upper = parsed.lower_strict(), parsed.upper_strict()
        start, end = lower.tm_year, upper.tm_year
        if start <= end and abs(start) < 10000 and abs(end) < 10000:
            return start, end
    except Exception:  # noqa: BLE001, S110 - free text dates simply have no years
        pass
    return None, None


_CC_TEXT = re.compile(
    r"^CC[\s_-]*(BY(?:[\s_-]*(?:NC|SA|ND))*)[\s_-]*v?(\d\.\d)(?:\s+International)?$", re.I
)
_CC0_TEXT = re.compile(r"^CC[\s_-]*(?:0|zero)(?:[\s_-]*v?1\.0)?$", re.I)
_SCHEME_HOST = re.compile(r"^https?://[^/]+", re.I)


def rights_uri(value: str) -> str:
    """A rights statement as providers write it ("CC BY 4.0", rightsstatements.org's /page/
    URL, a licence's /legalcode, capitals in the host) as the URI it names, for
    ``normalise_rights`` (which handles https, /deed.xx and the trailing slash)."""
    text = value.strip()
    if _CC0_TEXT.match(text):
        return "http://creativecommons.org/publicdomain/zero/1.0/"
    match = _CC_TEXT.match(text)
    if match:
        parts = re.findall(r"by|nc|sa|nd", match.group(1).lower())
        return f"http://creativecommons.org/licenses/{'-'.join(parts)}/{match.group(2)}/"
    text = _SCHEME_HOST.sub(lambda m: m.group(0).lower(), text).split("#")[0]
    text = text.replace("rightsstatements.org/page/", "rightsstatements.org/vocab/")
    return re.sub(r"/legalcode(?:\.[\w-]+)?$", "/", text)


@functools.lru_cache(maxsize=4096)  # a source sends the same few statements again and again
def listed_rights(value: str) -> str | None:
    """The statement of the closed list that ``value`` names (``rights_uri`` then
    ``normalise_rights``), or None."""
    return normalise_rights(rights_uri(value))


def _rights(fields: dict, prepared: Prepared) -> None:
    original = fields.get("rights") or ""
    normalised = listed_rights(original) if isinstance(original, str) else None
    if normalised:
        prepared.extras["rights"] = normalised
        return
    prepared.extras["rights"] = COPYRIGHT_NOT_EVALUATED
    prepared.extras["rights_original"] = original
    prepared.review.append(f"rights not on the list: {original}" if original else "rights missing")


def _common(fields: dict, default_lang: str, prepared: Prepared) -> None:
    title = language_map(fields.get("title"), default_lang)
    if not title:
        raise RecordError("no title")
    prepared.values["title"] = title
    for name in ("summary", "description"):
        if name in fields:
            value = language_map(fields[name], default_lang)
            if value:
                prepared.values[name] = value
    _rights(fields, prepared)
    identifiers = []
    for pair in fields.get("identifiers") or []:
        scheme, value = pair[0], str(pair[1]).strip()
        if scheme in SCHEMES and value and len(value) <= 120:
            identifiers.append([scheme, value])
    if identifiers:
        prepared.extras["identifiers"] = identifiers
    if fields.get("language"):
        tags = [_language_tag(t) for t in fields["language"] if isinstance(t, str)]
        prepared.extras["language"] = [t for t in dict.fromkeys(tags) if t]
    for key in EXTRA_KEYS:
        if key in fields and key not in prepared.extras and key not in ("rights", "language"):
            prepared.extras[key] = fields[key]


def storable(value):
    """``value`` with the characters XML 1.0 forbids dropped from its texts (in lists and
    dicts too: NUL, other control characters but tab and line breaks, U+FFFE/U+FFFF, lone
    surrogates): they carry nothing, PostgreSQL stores no NUL in text or jsonb (one failed a
    whole page), our exports could not carry them, and a staff edit of the record would be
    refused for them (``validate_language_map``)."""
    if isinstance(value, str):
        return value if value.isprintable() else xml_text(value)  # the common case at C speed
    if isinstance(value, list):
        return [storable(v) for v in value]
    if isinstance(value, dict):
        return {storable(k): storable(v) for k, v in value.items()}
    return value


def prepare_asset(fields: dict, *, default_lang: str, default_kind: str) -> Prepared:
    fields = storable(fields)
    prepared = Prepared(values={})
    _common(fields, default_lang, prepared)
    values = prepared.values
    kind = fields.get("kind") or ""
    values["kind"] = kind if kind in KINDS else default_kind
    lat, lon = fields.get("lat"), fields.get("lon")
    if lat is not None or lon is not None:
        try:
            lat, lon = float(lat), float(lon)
        except (TypeError, ValueError):
            raise RecordError(f"coordinates not numbers: {lat!r}, {lon!r}")
        if not valid_point(lat, lon):
            raise RecordError(f"coordinates out of range: {lat}, {lon}")
        values["lat"], values["lon"] = lat, lon
    if fields.get("address"):
        values["address"] = str(fields["address"])[:255]
    dating = str(fields.get("dating") or "").strip()
    if dating:
        values["dating"] = dating[:64]
        start, end = years_from_dating(dating)
        if start is not None:
            values["start_year"], values["end_year"] = start, end
    tags = [str(t).strip()[:100] for t in fields.get("tags") or [] if str(t).strip()]
    if tags:
        values["tags"] = list(dict.fromkeys(tags))[:30]
    return prepared


def prepare_event(fields: dict, *, default_lang: str) -> Prepared:
    fields = storable(fields)
    prepared = Prepared(values={})
    _common(fields, default_lang, prepared)
    values = prepared.values
    values.pop("summary", None)
    start, end = fields.get("start"), fields.get("end")
    if not isinstance(start, datetime):
        raise RecordError("no start date")
    values["start"] = start
    if isinstance(end, datetime):
        if end < start:
            raise RecordError("ends before it starts")
        values["end"] = end
    values["timezone"] = (fields.get("timezone") or "")[:64]
    if fields.get("all_day"):  # whole days, as the source plugins store them
        values["all_day"] = True
    if fields.get("rrule"):
        if len(fields["rrule"]) > 255:  # cut, it would be another rule
            raise RecordError("RRULE longer than 255 characters")
        values["rrule"] = fields["rrule"]
        exdates = [str(v) for v in fields.get("exdates") or [] if _local_datetime(v)]
        if exdates:
            values["exdates"] = sorted(set(exdates))[:MAX_EXDATES]
    if fields.get("url"):
        values["registration_url"] = str(fields["url"])[:200]
    values["last_occurrence"] = last_occurrence(values)
    return prepared


def _local_datetime(value) -> bool:
    try:
        datetime.fromisoformat(str(value))
    except ValueError:
        return False
    return True


def last_occurrence(values: dict) -> datetime | None:
    """When the event takes place for the last time, as the programme's services compute it
    (the end of the final occurrence, expanded in local time); None when the rule never ends.
    RecordError for a rule the programme does not expand (``HOURLY``, ``COUNT`` with
    ``UNTIL``…): stored, it would show as one occurrence."""
    from types import SimpleNamespace

    from heco.programme import recurrence
    from heco.programme.models import Event

    event = SimpleNamespace(
        start=values["start"],
        end=values.get("end"),
        # an event written without a zone gets the model's default (see Ingestor._new_event)
        timezone=values.get("timezone") or Event._meta.get_field("timezone").default,
        rrule=values.get("rrule", ""),
        all_day=values.get("all_day", False),
    )
    try:
        return recurrence.last_occurrence(event)
    except ValueError as exc:
        if event.rrule:
            raise RecordError(f"RRULE {event.rrule} not supported: {exc}")
        return None


def title_slug(title: dict, suffix: str) -> str:
    base = slugify(pick(title, "en").text)[:100].strip("-") or "record"
    return f"{base}-{suffix}"
