"""Images named by harvested records, fetched and stored as heritage Media.

A harvest keeps the image links a record names (``edm:isShownBy``, ``edm:object``; schema.org
``image``) in ``SourceRecord.harvested["extras"]["links"]``. ``fetch_images(source)`` turns
them into ``heritage.Media`` of kind image, for the assets the source created (origin records,
not deleted): downloaded with a timeout and a size limit, checked and stripped like an upload
(``heco.heritage.media.clean_upload`` through ``heritage.services.media_add``), with
renditions, the record's rights, the data provider as credit and the asset's title as alt text.

Which Media are harvested: image Media with a file and a ``url``, the original image URL.
That URL is how a later call knows the image is already there (nothing is fetched twice) and
which Media to replace when the record names another image (the new one is stored first; the
old one goes only when the new one is in) or to remove when it names none. Media without a
``url`` (uploaded by staff) are never touched, and an image staff deleted (a deletion with a
user in the Media history) is not fetched again for that asset.

Bad images (HTTP errors, timeouts, too large, not an image) are reported per asset and never
stop the rest; the next call tries them again. The downloads of a step run in a few threads
(no database access there); everything else runs in the calling thread.

The URLs come from someone else's data, so a download (and every redirect) is refused when
the host resolves to a loopback, private, link-local or otherwise non-public address: a record
must not make the harvester read the network it runs in (cloud metadata, an admin port).
``HECO_HARVEST_PRIVATE_HOSTS=1`` lifts that for a network harvesting its own intranet (and
for the tests' local servers).
"""

from __future__ import annotations

import http.client
import ipaddress
import posixpath
import socket
import time
import urllib.error
import urllib.request
from collections import defaultdict
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.text import slugify

from heco.core.langmap import clean_language_map, pick
from heco.core.models import Status
from heco.core.rights import COPYRIGHT_NOT_EVALUATED, normalise_rights
from heco.harvest.models import Source, SourceRecord
from heco.harvest.sources.base import USER_AGENT
from heco.heritage import services as heritage
from heco.heritage.models import Asset, Media

# where a record names its image, in order of preference: the full image (EDM), the
# thumbnail-like representative image (EDM), the schema.org page's image (jsonld parser)
LINK_KEYS = ("isShownBy", "object", "image")
STEP = 100  # origin records looked at per step (one query for their media)
FETCH_WORKERS = 4  # downloads of a step running at the same time
INDEX_EVERY = 500  # assets with changed media held back before the search index catches up
MAX_ERRORS_KEPT = 1000
DEFAULT_MAX_BYTES = 15 * 1024 * 1024  # the upload limit (settings.HECO_MAX_IMAGE_BYTES)
CHUNK = 64 * 1024


class ImageFetchError(Exception):
    """An image that could not be downloaded; the message is the reason in the report."""


@dataclass
class ImageReport:
    """What one ``fetch_images`` call did: the shape of ``heco harvest-images --json``."""

    source: int
    assets: int = 0  # origin assets whose record names an image
    unchanged: int = 0  # …that already had the harvested Media for that URL
    fetched: int = 0  # downloads tried
    stored: int = 0  # new Media
    replaced: int = 0  # harvested Media removed because the record names another image now
    removed: int = 0  # harvested Media removed because the record names no image any more
    deleted_locally: int = 0  # images staff deleted from the asset: not fetched again
    failed: int = 0
    errors: list[dict] = field(default_factory=list)  # {asset, identifier, url, reason}
    duration: float | None = None

    def as_dict(self) -> dict:
        return asdict(self)

    def fail(self, *, asset_id, identifier: str, url: str, reason: str) -> None:
        self.failed += 1
        if len(self.errors) < MAX_ERRORS_KEPT:
            self.errors.append(
                {"asset": str(asset_id), "identifier": identifier, "url": url, "reason": reason}
            )


@dataclass
class _Job:
    identifier: str
    asset_id: object
    url: str
    extras: dict
    stale: list  # harvested Media of the asset with another URL, replaced once the new one is in


# --------------------------------------------------------------------------------------------
# Which image a record names
# --------------------------------------------------------------------------------------------


def image_url(extras: dict) -> str | None:
    """The image URL a harvested record names (``extras`` as the ingest kept them), or None."""
    links = (extras or {}).get("links") or {}
    if not isinstance(links, dict):
        return None
    for key in LINK_KEYS:
        value = links.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


_URL_FIELD = Media._meta.get_field("url")


def url_problem(url: str) -> str:
    """Why ``url`` cannot be fetched or recorded on a Media ("" when it can)."""
    if urlsplit(url).scheme.lower() not in ("http", "https"):
        return "not an http(s) URL"
    if len(url) > _URL_FIELD.max_length:
        return f"URL longer than {_URL_FIELD.max_length} characters (Media.url cannot hold it)"
    try:
        _URL_FIELD.run_validators(url)
    except ValidationError:
        return "not a valid URL"
    return ""


def _credit(extras: dict, organisation_name: str) -> str:
    """The data provider the record names (a name, not a URI), else the source's organisation."""
    provider = extras.get("data_provider")
    if isinstance(provider, str) and provider.strip() and "://" not in provider:
        return provider.strip()[:255]
    return organisation_name[:255]


def _file_name(url: str) -> str:
    stem = posixpath.splitext(posixpath.basename(unquote(urlsplit(url).path)))[0]
    return (slugify(stem)[:60] or "image") + ".img"  # the stored extension follows the content


# --------------------------------------------------------------------------------------------
# Downloading
# --------------------------------------------------------------------------------------------


def host_problem(url: str) -> str:
    """Why the host of ``url`` may not be fetched from ("" when it may): it does not resolve,
    or one of its addresses is not a public one (unless HECO_HARVEST_PRIVATE_HOSTS)."""
    if getattr(settings, "HECO_HARVEST_PRIVATE_HOSTS", False):
        return ""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if not host:
        return "not a valid URL"
    try:
        port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, ValueError, UnicodeError):
        return f"cannot connect: {host} does not resolve"
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%")[0])
        if address.version == 6 and address.ipv4_mapped:
            address = address.ipv4_mapped
        if not address.is_global:
            return f"refused: {host} is a private or local address ({address})"
    return ""


class _HttpRedirects(urllib.request.HTTPRedirectHandler):
    """Follow redirects to public http(s) URLs only (urllib would also follow ftp://)."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if urlsplit(newurl).scheme.lower() not in ("http", "https"):
            raise urllib.error.HTTPError(newurl, code, "redirect to a non-HTTP URL", headers, fp)
        if problem := host_problem(newurl):
            raise ImageFetchError(f"redirect {problem}")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def max_bytes() -> int:
    return int(getattr(settings, "HECO_HARVEST_IMAGE_MAX_BYTES", DEFAULT_MAX_BYTES))


def download(url: str, *, timeout: float | None = None, limit: int | None = None) -> bytes:
    """GET ``url`` once; raise ImageFetchError for HTTP errors, network errors, a response
    larger than ``limit`` bytes (by its Content-Length or while reading) or slower than
    ``timeout`` seconds in all. No database access: runs in the download threads."""
    if timeout is None:
        timeout = float(getattr(settings, "HECO_HARVEST_TIMEOUT", 60))
    limit = max_bytes() if limit is None else limit
    if urlsplit(url).scheme.lower() not in ("http", "https"):
        raise ImageFetchError("not an http(s) URL")
    if problem := host_problem(url):
        raise ImageFetchError(problem)
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
        url, headers={"User-Agent": USER_AGENT, "Accept": "image/*"}
    )
    opener = urllib.request.build_opener(_HttpRedirects)
    deadline = time.monotonic() + timeout
    too_large = f"too large: more than {limit:,} bytes"
    try:
        with opener.open(request, timeout=timeout) as response:
            length = response.headers.get("Content-Length", "")
            if length.strip().isdigit() and int(length) > limit:
                raise ImageFetchError(f"too large: {int(length):,} bytes (limit {limit:,})")
            chunks, size = [], 0
            while chunk := response.read1(CHUNK):  # what has arrived: a slow drip still times out
                size += len(chunk)
                if size > limit:
                    raise ImageFetchError(too_large)
                if time.monotonic() > deadline:
                    raise ImageFetchError(f"timed out after {timeout:g} s")
                chunks.append(chunk)
            if response.length:  # read1 ends quietly where the connection did
                raise ImageFetchError(f"cut short: {response.length:,} bytes missing")
    except urllib.error.HTTPError as exc:
        raise ImageFetchError(f"HTTP {exc.code}" + (f" ({exc.reason})" if exc.reason else ""))
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError):
            raise ImageFetchError(f"timed out after {timeout:g} s")
        raise ImageFetchError(f"cannot connect: {exc.reason}")
    except TimeoutError:
        raise ImageFetchError(f"timed out after {timeout:g} s")
    except (http.client.HTTPException, OSError, ValueError) as exc:
        raise ImageFetchError(f"broken response: {exc.__class__.__name__} {exc}".strip())
    if not size:
        raise ImageFetchError("empty response")
    return b"".join(chunks)


def _download(url: str) -> tuple[bytes | None, str]:
    try:
        return download(url), ""
    except ImageFetchError as exc:
        return None, str(exc)


# --------------------------------------------------------------------------------------------
# The service
# --------------------------------------------------------------------------------------------


def _origin_records(source: Source):
    return (
        SourceRecord.objects.filter(
            source=source, is_origin=True, deleted=False, asset__isnull=False
        )
        .exclude(asset__status=Status.DELETED)
        .order_by("identifier")  # keyset over sourcerecord_unique (source, identifier)
        .values_list("identifier", "asset_id", "harvested")
    )


def _index(ids: set) -> None:
    if ids:
        from heco.search.index import index_assets

        index_assets(sorted(ids, key=str))
        ids.clear()


def fetch_images(source: Source, *, limit: int | None = None) -> ImageReport:
    """Fetch and store the images the records of ``source`` name (see the module docstring).

    ``limit``: at most that many downloads in this call (the rest on the next call). The
    assets whose media changed are re-indexed (their search weight counts media) and the
    cached public pages retired.
    """
    started = time.monotonic()
    report = ImageReport(source=source.pk)
    organisation = source.organisation
    organisation_name = pick(organisation.name, None).text or organisation.slug
    after = None
    changed = False
    try:
        with (
            ThreadPoolExecutor(FETCH_WORKERS, thread_name_prefix="heco-images") as pool,
            heritage.deferred_indexing(flush=False) as pending,
        ):
            try:
                while limit is None or report.fetched < limit:
                    query = _origin_records(source)
                    if after is not None:
                        query = query.filter(identifier__gt=after)
                    rows = list(query[:STEP])
                    if not rows:
                        break
                    after = rows[-1][0]
                    budget = None if limit is None else limit - report.fetched
                    _step(rows, report, pool, budget, organisation_name)
                    if pending:
                        changed = True
                    if len(pending) >= INDEX_EVERY:
                        _index(pending)
            finally:
                changed = changed or bool(pending)
                _index(pending)  # whatever happened, the index follows the media written
    finally:
        if changed:
            from heco.core.cache import bump_catalogue_version

            bump_catalogue_version()  # asset pages, lists and the IIIF views show the images
        report.duration = round(time.monotonic() - started, 3)
    return report


def _step(rows, report: ImageReport, pool, budget: int | None, organisation_name: str) -> None:
    asset_ids = [asset_id for _identifier, asset_id, _harvested in rows]
    harvested = defaultdict(list)
    for media in (
        Media.objects.filter(asset_id__in=asset_ids, kind=Media.Kind.IMAGE)
        .exclude(url="")
        .exclude(file="")
        .order_by("position", "created_at")
    ):
        harvested[media.asset_id].append(media)
    deleted_locally = set(
        Media.history.filter(asset_id__in=asset_ids, history_type="-", history_user__isnull=False)
        .exclude(url="")
        .values_list("asset_id", "url")
    )
    jobs: list[_Job] = []
    for identifier, asset_id, data in rows:
        if budget is not None and len(jobs) >= budget:
            break
        extras = (data or {}).get("extras") or {}
        url = image_url(extras)
        mine = harvested.get(asset_id, [])
        if url is None:
            if mine:
                _remove(mine)
                report.removed += len(mine)
            continue
        report.assets += 1
        stale = [m for m in mine if m.url != url]
        if len(stale) < len(mine):  # the Media for this URL is there
            report.unchanged += 1
            # left by a replacement that stopped half-way, or a copy stored by two calls
            # running at once: one Media per record's image
            stale += [m for m in mine if m.url == url][1:]
            if stale:
                _remove(stale)
                report.replaced += len(stale)
            continue
        if (asset_id, url) in deleted_locally:
            report.deleted_locally += 1
            continue
        problem = url_problem(url)
        if problem:
            report.fail(asset_id=asset_id, identifier=identifier, url=url, reason=problem)
            continue
        jobs.append(_Job(identifier, asset_id, url, extras, stale))
    if not jobs:
        return
    assets = Asset.objects.in_bulk([job.asset_id for job in jobs])
    downloads = pool.map(_download, [job.url for job in jobs])  # in order, several at a time
    for job, (data, reason) in zip(jobs, downloads, strict=True):
        report.fetched += 1
        asset = assets.get(job.asset_id)
        if asset is None:
            reason = reason or "the asset is gone"
        if not reason:
            reason = _store(job, data, asset, _credit(job.extras, organisation_name))
        if reason:
            report.fail(
                asset_id=job.asset_id, identifier=job.identifier, url=job.url, reason=reason
            )
            continue
        report.stored += 1
        report.replaced += len(job.stale)


def _store(job: _Job, data: bytes, asset: Asset, credit: str) -> str:
    """Store one downloaded image on ``asset`` (replacing ``job.stale``); "" or the reason."""
    rights = normalise_rights(job.extras.get("rights")) or COPYRIGHT_NOT_EVALUATED
    alt_text = clean_language_map(asset.title) or {"en": asset.slug}
    position = min(m.position for m in job.stale) if job.stale else None
    try:
        with transaction.atomic():
            heritage.media_add(
                asset=asset,
                file=ContentFile(data, name=_file_name(job.url)),
                kind=Media.Kind.IMAGE,
                rights=rights,
                credit=credit,
                alt_text=alt_text,
                url=job.url,
                position=position,
            )
            _remove(job.stale)
    except ValidationError as exc:
        return "; ".join(str(m) for m in exc.messages) or "refused"
    except (OSError, ValueError, SyntaxError, EOFError) as exc:  # Pillow on odd files
        return f"cannot process the image: {exc.__class__.__name__} {exc}".strip()
    return ""


def _remove(media: Iterable[Media]) -> None:
    for item in media:
        heritage.media_delete(media=item)
