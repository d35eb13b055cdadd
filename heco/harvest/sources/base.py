"""The one base class of harvest source kinds.

A source kind is a folder ``heco/harvest/sources/<kind>/`` with the same files:

- ``__init__.py`` — ``from .kind import Kind`` (nothing else);
- ``kind.py`` — ``class Kind(SourceKind)``: the slug, how to fetch pages (and resume);
- ``parse.py`` — pure functions from bytes to ``HarvestedRecord`` (no I/O, no database),
  so they are tested and fuzzed on their own.

A kind implements ONE method, ``fetch(source, checkpoint, since)``: a generator of ``Page``
objects. Each page holds parsed records (good or bad) and the checkpoint to store once the
page is written, so an interrupted run resumes after the last written page. ``fetch`` runs in
a background thread (the next pages are fetched while one is written), so it must not use
the database. Everything else —
validation, rights and language normalisation, duplicate detection, bulk writes, provenance,
local-edit protection, tombstones, the run report — is done once for all kinds by
``heco.harvest.ingest`` and ``heco.harvest.services``.

To add a kind: copy ``sources/jsonld/``, change the slug and the two files, add the slug to
``Source.Kind`` and to ``KINDS`` below, and give ``heco source add`` its options if it needs
any. Raise ``SourceUnavailable`` when the source cannot be read after retries (the run ends
``partial`` and keeps the checkpoint) and ``SourceError`` when the source refuses the request
(the run ends ``failed``).
"""

from __future__ import annotations

import email.utils
import http.client
import importlib
import json
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings

USER_AGENT = "HE.CO Hub harvester (+https://github.com/heco-hub)"


class SourceError(Exception):
    """The source answered but refused the request (bad argument, unknown format…)."""


class SourceUnavailable(Exception):
    """The source could not be read after retries (network, HTTP error, malformed page).
    ``retry_after``: the seconds the source asked us to wait (HTTP ``Retry-After``), or 0."""

    def __init__(self, message: str = "", retry_after: float = 0.0):
        super().__init__(message)
        self.retry_after = retry_after


@dataclass
class HarvestedRecord:
    """One record as parsed from a source, before validation and writing.

    ``fields`` uses the target model's field names (``title`` and the other language maps as
    ``{"en": "…"}``, ``lat``/``lon`` floats, ``kind``, ``dating``…) plus these extras:
    ``identifiers`` ([scheme, value] pairs), ``rights`` (the value as sent), ``links``,
    ``language`` (list of tags). ``error`` is set when the record could not be parsed at all.
    """

    identifier: str
    fields: dict = field(default_factory=dict)
    target: str = "asset"  # "asset" or "event"
    datestamp: datetime | None = None
    deleted: bool = False
    raw: str = ""
    error: str = ""
    line: int | None = None  # where the record is in a file (CSV line number), for the report
    prepared: object = None  # heco.harvest.normalise.Prepared, once Ingestor.prepare_records ran

    @property
    def where(self) -> str:
        return self.identifier or (f"line {self.line}" if self.line else "")


@dataclass
class Page:
    """A batch of parsed records plus where to resume after it has been written."""

    records: list[HarvestedRecord]
    checkpoint: dict = field(default_factory=dict)  # {} = the list is finished
    complete_list_size: int | None = None  # what the source says the whole list holds
    list_fetched: int | None = None  # records seen in this list so far (across resumed runs)
    last: bool = False  # the last page of the list


class SourceKind:
    """Base class of a source kind (see the module docstring)."""

    slug: str = ""
    # a snapshot kind sends everything every time (a file, a feed): records that disappear
    # from a completed snapshot were deleted at the source
    snapshot: bool = False

    def fetch(self, source, checkpoint: dict, since: datetime | None) -> Iterator[Page]:
        raise NotImplementedError


KINDS = {
    "oai-pmh": "heco.harvest.sources.oai_pmh",
    "csv": "heco.harvest.sources.csv",
    "ical": "heco.harvest.sources.ical",
    "jsonld": "heco.harvest.sources.jsonld",
}


def get_kind(slug: str) -> SourceKind:
    try:
        module = importlib.import_module(KINDS[slug])
    except KeyError:
        raise SourceError(f"unknown source kind {slug!r}")
    return module.Kind()


# --- helpers shared by kinds ---


def retry_delay() -> float:
    return float(getattr(settings, "HECO_HARVEST_RETRY_DELAY", 2.0))


def retries() -> int:
    return int(getattr(settings, "HECO_HARVEST_RETRIES", 3))


READ_CHUNK = 64 * 1024
WHOLE_RESPONSE_TIMEOUTS = 5  # a whole response must arrive within this many timeouts


def http_get(url: str) -> bytes:
    """GET once, raising SourceUnavailable on network and HTTP errors, on a transfer cut
    short, and on a response that does not arrive whole within ``WHOLE_RESPONSE_TIMEOUTS``
    times ``HECO_HARVEST_TIMEOUT`` (the timeout alone bounds each wait for bytes, so a server
    sending a byte now and then would otherwise hold the harvest for ever)."""
    timeout = float(getattr(settings, "HECO_HARVEST_TIMEOUT", 60))
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return read_within(response, timeout * WHOLE_RESPONSE_TIMEOUTS, url)
    except urllib.error.HTTPError as exc:
        wait = retry_after(exc.headers.get("Retry-After")) if exc.code in (429, 503) else 0
        raise SourceUnavailable(f"HTTP {exc.code} from {url}", retry_after=wait)
    except (urllib.error.URLError, TimeoutError, OSError, http.client.HTTPException) as exc:
        raise SourceUnavailable(f"cannot read {url}: {type(exc).__name__} {exc}".rstrip())


MAX_RETRY_AFTER = 300.0  # seconds: a source asking for longer ends the run partial sooner


def retry_after(value: str | None) -> float:
    """Seconds from a ``Retry-After`` header (seconds, or an HTTP date), 0 when absent or
    unreadable. OAI-PMH repositories use it with 503 for flow control (OAI-PMH 2.0, 3.1.1.1)."""
    value = (value or "").strip()
    if value.isdecimal():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return 0.0
    if when.tzinfo is None:
        return 0.0
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def read_within(response, seconds: float, url: str) -> bytes:
    """The body of ``response``, read a chunk at a time (``read1``: whatever has arrived, so
    one call waits at most the socket's timeout); SourceUnavailable past ``seconds`` or past
    ``HECO_HARVEST_MAX_BYTES``."""
    limit = int(getattr(settings, "HECO_HARVEST_MAX_BYTES", 200 * 1024 * 1024))
    deadline = time.monotonic() + seconds
    chunks, size = [], 0
    while chunk := response.read1(READ_CHUNK):
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            raise SourceUnavailable(
                f"cannot read {url}: larger than {limit:,} bytes (HECO_HARVEST_MAX_MB)"
            )
        if time.monotonic() > deadline:
            raise SourceUnavailable(f"cannot read {url}: not complete after {seconds:g} s")
    if getattr(response, "length", None):  # read1 ends quietly where the connection did
        raise SourceUnavailable(
            f"cannot read {url}: the transfer was cut short ({response.length} bytes missing)"
        )
    return b"".join(chunks)


def with_retries(action, *, what: str):
    """Call ``action()`` up to ``retries()`` times with a growing delay between tries.

    ``action`` raises SourceUnavailable for a failure worth retrying (network, HTTP, a
    malformed page); after the last try the error is raised again.
    """
    tries = max(1, retries())
    for attempt in range(1, tries + 1):
        try:
            return action()
        except SourceUnavailable as exc:
            if attempt == tries:
                raise SourceUnavailable(f"{exc} (after {tries} tries: {what})")
            # as long as the source asks (Retry-After), within reason, else a doubling delay
            asked = min(exc.retry_after, MAX_RETRY_AFTER)
            time.sleep(max(asked, retry_delay() * (2 ** (attempt - 1))))
    raise AssertionError("unreachable")


def read_location(location: str) -> bytes:
    """Bytes of a URL (with retries) or of a local file."""
    if location.startswith(("http://", "https://")):
        return with_retries(lambda: http_get(location), what=location)
    path = Path(location.removeprefix("file://"))
    try:
        return path.read_bytes()
    except OSError as exc:
        raise SourceUnavailable(f"cannot read {path}: {exc}")


def canonical_json(value) -> str:
    """``value`` as JSON with sorted keys: the same text for the same content."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
