"""Writes to heritage assets and their media.

Every write goes through one of these functions: keyword-only arguments, permission check,
``full_clean()`` before ``save()``, and the side effects (search index) in one visible place,
``_after_write``. Nothing is hidden in signals or ``save()`` overrides.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import math
from collections.abc import Iterable, Iterator

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from heco.core.langmap import pick
from heco.core.models import Status
from heco.core.rights import normalise_rights
from heco.heritage.models import Asset, ExternalIdentifier, Media, Theme
from heco.network.selectors import can_edit_organisation
from heco.search import index as search_index

# Fields a caller may set through asset_create / asset_update.
ASSET_FIELDS = frozenset(
    {
        "slug",
        "title",
        "summary",
        "description",
        "kind",
        "organisation",
        "organisation_id",
        "community",
        "community_id",
        "address",
        "lat",
        "lon",
        "geometry",
        "dating",
        "start_year",
        "end_year",
        "designation",
        "themes",
        "tags",
        "condition",
        "featured",
        "is_demo",
    }
)

# --------------------------------------------------------------------------------------------
# Side effects: the one place where writes fan out.
# --------------------------------------------------------------------------------------------

_deferred: contextvars.ContextVar[set | None] = contextvars.ContextVar(
    "heco_deferred_index", default=None
)


@contextlib.contextmanager
def deferred_indexing(*, flush: bool = True) -> Iterator[set]:
    """Collect the asset ids to reindex instead of indexing after each write.

    On exit the collected ids are indexed in one call (``flush=True``), or left to the caller
    (``flush=False``, e.g. the demo loader, which rebuilds the whole index once at the end).
    """
    ids: set = set()
    token = _deferred.set(ids)
    try:
        yield ids
    finally:
        _deferred.reset(token)
    if flush and ids:
        search_index.index_assets(sorted(ids, key=str))


def reindex_assets(asset_ids: Iterable) -> None:
    """Bring the search index up to date for ``asset_ids`` (now, or when deferred, later)."""
    ids = [asset_id for asset_id in asset_ids if asset_id]
    if not ids:
        return
    pending = _deferred.get()
    if pending is not None:
        pending.update(ids)
        return
    search_index.index_assets(ids)


def _after_write(asset: Asset) -> None:
    reindex_assets([asset.pk])


def _require_edit(user, organisation_id) -> None:
    if user is not None and not can_edit_organisation(user, organisation_id):
        raise PermissionDenied(_("You may not edit the records of this organisation."))


# --------------------------------------------------------------------------------------------
# Validation helpers (also used by forms and importers)
# --------------------------------------------------------------------------------------------


def _edtf_year(value) -> int | None:
    """Year of an ``edtf`` struct_time bound; None for open or unknown ends (±inf)."""
    if value is None or isinstance(value, float):
        return None if value is None or math.isinf(value) or math.isnan(value) else int(value)
    return int(value.tm_year)


@functools.lru_cache(maxsize=2048)
def parse_dating(dating: str) -> tuple[int | None, int | None]:
    """Validate an EDTF string and return (start_year, end_year); raises ValidationError."""
    from edtf import parse_edtf

    dating = (dating or "").strip()
    if not dating:
        return None, None
    try:
        parsed = parse_edtf(dating)
    except Exception:  # edtf raises EDTFParseException, and others on odd input
        raise ValidationError(
            {
                "dating": ValidationError(
                    _("“%(value)s” is not a valid EDTF date (e.g. 1850, 185X, 1850/1870, 1850~)."),
                    params={"value": dating},
                    code="invalid_edtf",
                )
            }
        )
    start = end = None
    for getter, target in (("lower_strict", "start"), ("upper_strict", "end")):
        try:
            year = _edtf_year(getattr(parsed, getter)())
        except Exception:  # open intervals ("1900/..") make some edtf versions fail here
            year = None
        if target == "start":
            start = year
        else:
            end = year
    return start, end


def _check_position(position, where: str) -> None:
    if not isinstance(position, list | tuple) or len(position) not in (2, 3):
        raise ValidationError(
            _("Each GeoJSON position must be [longitude, latitude] (%(where)s)."),
            params={"where": where},
            code="invalid_geometry",
        )
    for number in position:
        if (
            isinstance(number, bool)
            or not isinstance(number, int | float)
            or not math.isfinite(number)
        ):
            raise ValidationError(
                _("GeoJSON coordinates must be numbers (%(where)s)."),
                params={"where": where},
                code="invalid_geometry",
            )
    lon, lat = position[0], position[1]
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise ValidationError(
            _(
                "GeoJSON coordinates must be WGS84 longitude (−180…180) and latitude (−90…90), "
                "in that order (%(where)s)."
            ),
            params={"where": where},
            code="invalid_geometry",
        )


def _check_ring(ring, where: str) -> None:
    if not isinstance(ring, list | tuple) or len(ring) < 4:
        raise ValidationError(
            _("A polygon ring needs at least four positions (%(where)s)."),
            params={"where": where},
            code="invalid_geometry",
        )
    for position in ring:
        _check_position(position, where)
    if list(ring[0]) != list(ring[-1]):
        raise ValidationError(
            _("A polygon ring must end where it starts (%(where)s)."),
            params={"where": where},
            code="invalid_geometry",
        )


def _check_line(line, where: str) -> None:
    if not isinstance(line, list | tuple) or len(line) < 2:
        raise ValidationError(
            _("A line needs at least two positions (%(where)s)."),
            params={"where": where},
            code="invalid_geometry",
        )
    for position in line:
        _check_position(position, where)


def _check_list(value, where: str) -> list:
    if not isinstance(value, list | tuple) or not value:
        raise ValidationError(
            _("“coordinates” must be a non-empty list (%(where)s)."),
            params={"where": where},
            code="invalid_geometry",
        )
    return list(value)


GEOMETRY_TYPES = (
    "Point",
    "MultiPoint",
    "LineString",
    "MultiLineString",
    "Polygon",
    "MultiPolygon",
    "GeometryCollection",
)


def validate_geometry(geometry, _depth: int = 0) -> None:
    """Validate a GeoJSON (RFC 7946) geometry object: type, coordinate shape, WGS84 ranges."""
    if geometry in (None, {}):
        return
    if not isinstance(geometry, dict) or geometry.get("type") not in GEOMETRY_TYPES:
        raise ValidationError(
            _("The geometry must be a GeoJSON object with a type of %(types)s."),
            params={"types": ", ".join(GEOMETRY_TYPES)},
            code="invalid_geometry",
        )
    kind = geometry["type"]
    if kind == "GeometryCollection":
        members = geometry.get("geometries")
        if _depth > 0 or not isinstance(members, list):
            raise ValidationError(
                _("A GeometryCollection needs a flat list of “geometries”."),
                code="invalid_geometry",
            )
        for member in members:
            validate_geometry(member, _depth + 1)
        return
    if "coordinates" not in geometry:
        raise ValidationError(_("The geometry has no “coordinates”."), code="invalid_geometry")
    coords = geometry["coordinates"]
    if kind == "Point":
        _check_position(coords, kind)
    elif kind == "MultiPoint":
        for position in _check_list(coords, kind):
            _check_position(position, kind)
    elif kind == "LineString":
        _check_line(coords, kind)
    elif kind == "MultiLineString":
        for line in _check_list(coords, kind):
            _check_line(line, kind)
    elif kind == "Polygon":
        for ring in _check_list(coords, kind):
            _check_ring(ring, kind)
    else:  # MultiPolygon
        for polygon in _check_list(coords, kind):
            for ring in _check_list(polygon, kind):
                _check_ring(ring, kind)


def _validate_list_of_strings(value, field: str, allowed=None) -> list[str]:
    if value in (None, ""):
        return []
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise ValidationError({field: _("Enter a list of text values.")})
    cleaned = []
    for item in value:
        item = item.strip()
        if item and item not in cleaned:
            cleaned.append(item)
    if allowed is not None:
        unknown = [v for v in cleaned if v not in allowed]
        if unknown:
            raise ValidationError(
                {
                    field: ValidationError(
                        _("Unknown value(s): %(values)s."),
                        params={"values": ", ".join(unknown)},
                        code="invalid_choice",
                    )
                }
            )
    return cleaned


def unique_slug(model, base: str, exclude_pk=None) -> str:
    base = (slugify(base) or "item")[:100]
    taken = set(
        model.objects.filter(slug__startswith=base)
        .exclude(pk=exclude_pk)
        .values_list("slug", flat=True)
    )
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def _prepare(asset: Asset, changed: set[str]) -> None:
    """Normalise and validate derived fields before ``full_clean()``."""
    errors = {}
    if not asset.slug:
        asset.slug = unique_slug(Asset, pick(asset.title, "en").text, exclude_pk=asset.pk)
    if asset.community_id is None and asset.organisation_id is not None:
        asset.community_id = asset.organisation.community_id
    try:
        asset.themes = _validate_list_of_strings(asset.themes, "themes", set(Theme.values))
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        asset.tags = _validate_list_of_strings(asset.tags, "tags")
    except ValidationError as exc:
        errors.update(exc.message_dict)
    # dating: validate what is new (a harvested register's "ca. 1850" stays as it came, with
    # the years the harvest read from it, until someone changes it); derive the filter years
    # unless the caller gave them
    if "dating" in changed or asset._state.adding:
        asset.dating = (asset.dating or "").strip()
        try:
            start, end = parse_dating(asset.dating)
        except ValidationError as exc:
            errors.update(exc.message_dict)
        else:
            if "start_year" not in changed:
                asset.start_year = start
            if "end_year" not in changed:
                asset.end_year = end
    # geometry: validate; a Point gives lat/lon when those are missing
    try:
        validate_geometry(asset.geometry)
    except ValidationError as exc:
        errors["geometry"] = exc.messages
    else:
        if asset.geometry == {}:
            asset.geometry = None
        geometry = asset.geometry
        if geometry and geometry.get("type") == "Point" and asset.lat is None and asset.lon is None:
            asset.lon, asset.lat = geometry["coordinates"][0], geometry["coordinates"][1]
    if (asset.lat is None) != (asset.lon is None):
        errors["lat"] = [_("Give both latitude and longitude, or neither.")]
    if errors:
        raise ValidationError(errors)


def _assign(asset: Asset, fields: dict) -> set[str]:
    unknown = set(fields) - ASSET_FIELDS
    if unknown:
        raise TypeError(f"Unknown asset field(s): {', '.join(sorted(unknown))}")
    for name, value in fields.items():
        setattr(asset, name, value)
    return {name.removesuffix("_id") for name in fields}


# --------------------------------------------------------------------------------------------
# Assets
# --------------------------------------------------------------------------------------------


def asset_create(*, user=None, identifiers: Iterable[tuple[str, str]] = (), **fields) -> Asset:
    """Create an asset (draft unless ``status`` is given) with optional external identifiers."""
    status = fields.pop("status", Status.DRAFT)
    asset = Asset(status=status)
    changed = _assign(asset, fields)
    if asset.organisation_id is None:
        raise ValidationError({"organisation": _("Choose the managing organisation.")})
    _require_edit(user, asset.organisation_id)
    if status == Status.PUBLISHED:
        asset.published_at = timezone.now()
    _prepare(asset, changed)
    asset.full_clean()
    ids = [ExternalIdentifier(asset=asset, scheme=s, value=v.strip()) for s, v in identifiers]
    with transaction.atomic():
        asset.save()
        for identifier in ids:
            identifier.full_clean()
            identifier.save()
        _after_write(asset)
    return asset


def asset_update(*, asset: Asset, user=None, **fields) -> Asset:
    """Change fields of an asset; the user must be able to edit the old and the new organisation."""
    if asset.status == Status.DELETED:
        raise ValidationError(_("A deleted asset cannot be changed."))
    _require_edit(user, asset.organisation_id)
    fields.pop("status", None)  # the lifecycle moves only through publish/withdraw/delete
    changed = _assign(asset, fields)
    if "organisation" in changed:
        _require_edit(user, asset.organisation_id)
        if "community" not in changed:
            asset.community_id = asset.organisation.community_id
    _prepare(asset, changed)
    asset.full_clean()
    with transaction.atomic():
        asset.save()
        _after_write(asset)
    return asset


def _set_status(asset: Asset, user, status: str, **extra) -> Asset:
    _require_edit(user, asset.organisation_id)
    if asset.status == Status.DELETED and status != Status.DELETED:
        raise ValidationError(_("A deleted asset cannot be changed."))
    asset.status = status
    for name, value in extra.items():
        setattr(asset, name, value)
    asset.full_clean()
    with transaction.atomic():
        asset.save(update_fields=["status", "updated_at", *extra])
        _after_write(asset)
    return asset


def asset_publish(*, asset: Asset, user=None) -> Asset:
    """Publish: visible on the site, in feeds and to aggregators."""
    return _set_status(
        asset, user, Status.PUBLISHED, published_at=asset.published_at or timezone.now()
    )


def asset_withdraw(*, asset: Asset, user=None) -> Asset:
    """Withdraw from public view; the record stays editable and can be published again."""
    return _set_status(asset, user, Status.WITHDRAWN)


def asset_submit_for_review(*, asset: Asset, user=None) -> Asset:
    return _set_status(asset, user, Status.REVIEW)


def asset_delete(*, asset: Asset, user=None) -> Asset:
    """Tombstone: status ``deleted`` and ``deleted_at``; the row stays so OAI-PMH, sitemaps,
    caches and aggregators learn of the deletion."""
    if asset.status == Status.DELETED:
        return asset
    _require_edit(user, asset.organisation_id)
    asset.tombstone()
    with transaction.atomic():
        asset.save(update_fields=["status", "deleted_at", "updated_at"])
        _after_write(asset)
    return asset


# --------------------------------------------------------------------------------------------
# Media
# --------------------------------------------------------------------------------------------


def media_add(
    *,
    asset: Asset,
    file=None,
    kind: str = Media.Kind.IMAGE,
    rights: str,
    credit: str = "",
    alt_text: dict | None = None,
    caption: dict | None = None,
    url: str = "",
    position: int | None = None,
    user=None,
) -> Media:
    """Attach a file (checked by content, images stripped of metadata, renditions made) or a
    video link to an asset."""
    from heco.heritage import media as media_lib

    _require_edit(user, asset.organisation_id)
    if asset.status == Status.DELETED:
        raise ValidationError(_("Media cannot be added to a deleted asset."))
    rights_uri = normalise_rights(rights)
    if rights_uri is None:
        raise ValidationError(
            {"rights": _("Choose a rights statement from the list Europeana accepts.")}
        )
    alt_text, caption = alt_text or {}, caption or {}
    if kind == Media.Kind.IMAGE and not any(v.strip() for v in alt_text.values() if v):
        raise ValidationError({"alt_text": _("Describe the image in at least one language.")})
    if kind == Media.Kind.VIDEO_LINK:
        if file is not None:
            raise ValidationError({"file": _("A video link takes a link, not a file.")})
    elif file is None:
        raise ValidationError({"file": _("Choose a file to upload.")})
    if position is None:
        position = asset.media.count()
    media = Media(
        asset=asset,
        kind=kind,
        url=url,
        rights=rights_uri,
        credit=credit,
        alt_text=alt_text,
        caption=caption,
        position=position,
    )
    content = decoded = None
    if file is not None:
        content, decoded = media_lib.clean_upload(file, kind)  # validates by content
    with transaction.atomic():
        if content is not None:
            media.file.save(content.name, content, save=False)
        try:
            media.full_clean()
            media.save()
            if kind == Media.Kind.IMAGE:
                media_lib.generate_renditions(media, image=decoded)
            _after_write(asset)
        except BaseException:
            media_lib.delete_files(media)  # the row is rolled back: no file may stay behind
            raise
    return media


def media_delete(*, media: Media, user=None) -> None:
    """Remove a media item, its file and its renditions."""
    from heco.heritage import media as media_lib

    asset = media.asset
    _require_edit(user, asset.organisation_id)
    with transaction.atomic():
        media_lib.delete_files(media)
        media.delete()
        _after_write(asset)
