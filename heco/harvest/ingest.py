"""Writing one page of harvested records: bulk, in one transaction, with provenance.

For each page: one query for the source records already known, one for their assets/events,
one for external identifiers (merge), bulk inserts/updates, one bounding-box query for
duplicate proposals. The caller stores the checkpoint inside the same transaction, so a crash
either keeps a page and its checkpoint or neither.
"""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
from dataclasses import dataclass, field

from django.db import connection
from django.utils import timezone

from heco.core.geo import bbox_around, haversine_km
from heco.core.models import Status
from heco.harvest.fastwrite import UUIDs, encoded_json, insert_rows, new_row, present
from heco.harvest.models import DuplicateCandidate, SourceRecord
from heco.harvest.normalise import (
    ASSET_FIELDS,
    EMPTY,
    EVENT_FIELDS,
    Prepared,
    RecordError,
    jsonable,
    normalise_title_key,
    prepare_asset,
    prepare_event,
    title_keys,
    title_slug,
)
from heco.harvest.sources.base import HarvestedRecord
from heco.heritage.models import Asset, ExternalIdentifier
from heco.network.models import Community
from heco.programme.models import Event
from heco.search.documents import new_asset_document

logger = logging.getLogger(__name__)
DUPLICATE_RADIUS_KM = 0.1
BOXES_PER_QUERY = 200  # bounding boxes ORed in one duplicate query
MAX_IDENTIFIER = SourceRecord._meta.get_field("identifier").max_length
NEW_ASSETS_LOCK = 0x6865636F_6E657721  # PostgreSQL advisory lock key ("heconew!")


@dataclass
class PageResult:
    fetched: int = 0
    created: int = 0
    updated: int = 0
    deleted: int = 0
    failed: int = 0
    unidentified: int = 0  # of the failed, those without an identifier
    conflicts: int = 0
    errors: list = field(default_factory=list)
    asset_ids: set = field(default_factory=set)  # to (re)index once the page is committed
    # new assets whose search documents were built ahead: asset id -> (document, updated_at)
    documents: dict = field(default_factory=dict)
    seen: list = field(default_factory=list)  # identifiers seen (snapshot deletion sweep)


class Ingestor:
    """Writes pages of HarvestedRecords for one source. Call ``write_page`` in a transaction."""

    def __init__(self, source):
        self.source = source
        self.organisation = source.organisation
        mapping = source.mapping or {}
        self.community_id = mapping.get("community_id") or self.organisation.community_id
        self.default_lang = (
            mapping.get("language") or self.organisation.community.default_language or "en"
        )
        self.default_kind = mapping.get("default_kind") or Asset.Kind.BUILDING
        # what a new asset's search document needs of its organisation and community, read
        # now: prepare_records may run in a process that must not use the database
        community = (
            Community.objects.filter(pk=self.community_id)
            .values_list("slug", "name", "country")
            .first()
        )
        self.document_context = (
            {
                "organisation": (self.organisation.slug, self.organisation.name),
                "community": community,
            }
            if community
            else None
        )
        self.now = timezone.now()
        self.new_id = UUIDs()

    # --- one page ---

    def prepare_records(self, records: list[HarvestedRecord]) -> None:
        """Validate and normalise each record (``record.prepared``, or ``record.error`` with
        the reason). Pure: no database, so it can run ahead in another process
        (heco.harvest.pipeline); ``write_page`` prepares whatever was not."""
        for record in records:
            if record.error or not record.identifier or record.deleted or record.prepared:
                continue
            try:
                if record.target == "event":
                    prepared = prepare_event(record.fields, default_lang=self.default_lang)
                else:
                    prepared = prepare_asset(
                        record.fields,
                        default_lang=self.default_lang,
                        default_kind=self.default_kind,
                    )
            except RecordError as exc:
                record.error = str(exc)
                continue
            prepared.fingerprint()
            prepared.slug = title_slug(prepared.values["title"], self._suffix(record.identifier))
            model = Event if record.target == "event" else Asset
            prepared.encoded = encoded_json(model, prepared.values)
            prepared.encoded_record = encoded_json(
                SourceRecord,
                {"review_reasons": prepared.review},
                texts={"harvested": prepared.snapshot_json},  # the text that was hashed
            )
            if model is Asset:
                prepared.title_keys = title_keys(prepared.values["title"])
            if model is Asset and self.document_context:
                prepared.document = new_asset_document(
                    prepared.values,
                    slug=prepared.slug,
                    identifiers=[v for _s, v in prepared.extras.get("identifiers", [])],
                    **self.document_context,
                )
            record.prepared = prepared
            record.fields = {}  # all that is needed now is in prepared (less to pass on)

    def write_page(self, records: list[HarvestedRecord]) -> PageResult:
        result = PageResult(fetched=len(records))
        self.now = timezone.now()
        latest: dict[str, tuple[HarvestedRecord, Prepared | None]] = {}
        for record in records:
            if record.identifier and "\x00" not in record.identifier:  # (none stored has one)
                result.seen.append(record.identifier)
            if record.error:
                self._fail(result, record, record.error)
                continue
            if not record.identifier:
                self._fail(result, record, "no identifier")
                continue
            if len(record.identifier) > MAX_IDENTIFIER:  # cut, it would name another record
                self._fail(result, record, f"identifier longer than {MAX_IDENTIFIER} characters")
                continue
            if "\x00" in record.identifier:  # no database text holds it
                self._fail(result, record, "a NUL character in the identifier")
                continue
            if record.deleted:
                latest[record.identifier] = (record, None)
                continue
            if record.prepared is None:
                self.prepare_records([record])
                if record.error:
                    self._fail(result, record, record.error)
                    continue
            latest[record.identifier] = (record, record.prepared)  # the last copy wins
        if not latest:
            return result
        # a cheap query first: in a first harvest, or a list of new records, there are none
        known = present(SourceRecord, "identifier", latest, source_id=self.source.pk)
        existing = {
            sr.identifier: sr
            for sr in (
                SourceRecord.objects.filter(source=self.source, identifier__in=list(known))
                if known
                else ()
            )
        }
        for record, prepared in latest.values():
            sr = existing.get(record.identifier)
            if prepared is None and sr is not None:  # deletions go where the record went
                record.target = "event" if sr.event_id else "asset"
        assets = [(r, p) for r, p in latest.values() if r.target != "event"]
        events = [(r, p) for r, p in latest.values() if r.target == "event"]
        if assets:
            self._write(result, assets, existing, Asset, "asset", ASSET_FIELDS)
        if events:
            self._write(result, events, existing, Event, "event", EVENT_FIELDS)
        return result

    def _fail(self, result: PageResult, record: HarvestedRecord, reason: str) -> None:
        result.failed += 1
        result.unidentified += not record.identifier
        where = f"line {record.line}: " if record.line else ""
        # the report is stored as JSON, which on PostgreSQL holds no NUL: shown as U+FFFD
        result.errors.append(
            {
                "identifier": record.where.replace("\x00", "\ufffd"),
                "reason": (where + reason).replace("\x00", "\ufffd"),
            }
        )

    # --- writing ---

    def _write(self, result, items, existing, model, fk, field_names):
        target_ids = [
            getattr(existing[r.identifier], fk + "_id")
            for r, _ in items
            if r.identifier in existing
        ]
        if fk == "asset" and any(
            p is not None and (r.identifier not in existing or p.extras.get("identifiers"))
            for r, p in items
        ):
            _lock_new_assets()
        # locked until the page commits: a staff edit saved meanwhile waits, or is seen
        targets = model.objects.select_for_update().in_bulk([pk for pk in target_ids if pk])
        new_records, new_targets, new_ids = [], [], []
        changed_records, changed_targets = [], {}
        touched_fields: set = set()
        fetched_only = []
        tombstone_candidates = []
        merge_ids = {}
        more_identifiers = []
        if fk == "asset":
            merge_ids = self._merge_targets(
                [p for r, p in items if p is not None and r.identifier not in existing]
            )
        page_identifiers: dict = {}  # (scheme, value) -> new asset in this page
        for record, prepared in items:
            sr = existing.get(record.identifier)
            if record.deleted:
                if sr is None or sr.deleted:
                    continue
                sr.deleted = True
                sr.datestamp = record.datestamp or sr.datestamp
                sr.fetched_at = self.now
                changed_records.append(sr)
                if sr.is_origin and getattr(sr, fk + "_id"):
                    tombstone_candidates.append(sr)
                result.deleted += 1
                continue
            digest = prepared.fingerprint()
            if sr is not None and sr.content_hash == digest and not sr.deleted:
                fetched_only.append(sr.pk)
                continue
            if sr is None:
                sr = new_row(
                    SourceRecord,
                    source_id=self.source.pk,
                    identifier=record.identifier,
                    fetched_at=self.now,
                    _encoded=prepared.encoded_record,
                )
                target = None
                if fk == "asset":
                    target_id = self._find_merge(prepared, merge_ids, page_identifiers)
                    if target_id:
                        sr.asset_id = target_id
                        result.asset_ids.add(target_id)
                        more_identifiers.append((target_id, prepared))
                    else:
                        target = self._new_asset(record, prepared)
                        for scheme, value in prepared.extras.get("identifiers", []):
                            page_identifiers.setdefault((scheme, value), target.pk)
                else:
                    target = self._new_event(record, prepared)
                if target is not None:
                    setattr(sr, fk + "_id", target.pk)
                    sr.is_origin = True
                    new_targets.append(target)
                    new_ids.append((target, prepared))
                result.created += 1
                new_records.append(sr)
            else:
                result.updated += 1
                changed_records.append(sr)
                target = targets.get(getattr(sr, fk + "_id"))
                if target is not None and sr.is_origin:
                    changed = self._apply(sr, target, prepared, field_names)
                    if sr.deleted and target.status == Status.DELETED:
                        target.status, target.deleted_at = Status.PUBLISHED, None
                        changed |= {"status", "deleted_at"}
                    if changed:
                        touched_fields |= changed
                        changed_targets[target.pk] = target
                    result.conflicts += len(sr.conflicts)
                sr.deleted = False
                if fk == "asset" and getattr(sr, "asset_id", None):
                    result.asset_ids.add(sr.asset_id)
                    more_identifiers.append((sr.asset_id, prepared))
            sr.datestamp = record.datestamp
            sr.fetched_at = self.now
            sr.raw = record.raw
            if "harvested" not in getattr(sr, "_encoded", {}):
                sr.harvested = json.loads(prepared.snapshot_json)
            sr.content_hash = digest
            sr.needs_review = bool(prepared.review)
            sr.review_reasons = prepared.review
        if more_identifiers:
            self._add_identifiers(more_identifiers)
        if changed_targets:
            touched_fields.add("updated_at")
            for target in changed_targets.values():
                target.updated_at = self.now
            model.objects.bulk_update(
                list(changed_targets.values()), sorted(touched_fields), batch_size=500
            )
        placed = [t for t in new_targets if fk == "asset" and t.lat is not None]
        # assets near the new ones, read before these go in (so only the others come back)
        near = self._assets_near(placed)
        if new_targets:
            self._unique_slugs(model, new_targets)
            insert_rows(model, new_targets)
            if fk == "asset":
                self._add_identifiers([(t.pk, p) for t, p in new_ids])
                for target, prepared in new_ids:
                    self._to_index(result, target, prepared)
        if new_records:
            insert_rows(SourceRecord, new_records)
        if changed_records:
            SourceRecord.objects.bulk_update(
                changed_records,
                [
                    "asset",
                    "event",
                    "deleted",
                    "datestamp",
                    "fetched_at",
                    "raw",
                    "harvested",
                    "content_hash",
                    "conflicts",
                    "needs_review",
                    "review_reasons",
                ],
                batch_size=500,
            )
        if fetched_only:
            SourceRecord.objects.filter(pk__in=fetched_only).update(fetched_at=self.now)
        if tombstone_candidates:
            self._tombstone(model, fk, tombstone_candidates, result)
        if placed:
            self._propose_duplicates(placed, near)

    def _to_index(self, result: PageResult, target, prepared: Prepared) -> None:
        """A new asset goes to search with the document built ahead when it still fits (its
        slug was not changed to be unique), else by id (built from the database)."""
        doc = prepared.document
        if doc is not None and target.slug == prepared.slug:
            doc.asset_id = target.pk
            result.documents[target.pk] = (doc, target.updated_at)
        else:
            result.asset_ids.add(target.pk)

    def _apply(self, sr, target, prepared: Prepared, field_names) -> set:
        """Write source values onto ``target`` unless the field was edited locally."""
        previous = (sr.harvested or {}).get("fields", {})
        conflicts = {}
        changed = set()
        for name in field_names:
            new = prepared.values.get(name, EMPTY.get(name))
            new_json = jsonable(new)
            current = jsonable(getattr(target, name))
            if current == new_json:
                continue
            before = previous.get(name, jsonable(EMPTY.get(name)))
            if current == before or (name == "kind" and not current):
                setattr(target, name, new)
                changed.add(name)
            else:
                conflicts[name] = new_json
        sr.conflicts = conflicts
        return changed

    def _new_asset(self, record, prepared: Prepared):
        values = prepared.values
        return new_row(
            Asset,
            id=self.new_id(),
            organisation_id=self.organisation.pk,
            community_id=self.community_id,
            status=Status.PUBLISHED,
            published_at=self.now,
            is_demo=False,
            slug=prepared.slug or title_slug(values["title"], self._suffix(record.identifier)),
            created_at=self.now,
            updated_at=self.now,
            _encoded=prepared.encoded,
            _title_keys=prepared.title_keys,
            **values,
        )

    def _new_event(self, record, prepared: Prepared):
        values = dict(prepared.values)
        if not values.get("timezone"):
            values.pop("timezone", None)
        return new_row(
            Event,
            id=self.new_id(),
            organisation_id=self.organisation.pk,
            status=Status.PUBLISHED,
            is_demo=False,
            slug=prepared.slug or title_slug(values["title"], self._suffix(record.identifier)),
            created_at=self.now,
            updated_at=self.now,
            _encoded=prepared.encoded,
            **values,
        )

    def _suffix(self, identifier: str, salt: str = "") -> str:
        key = f"{self.source.pk}:{identifier}{salt}".encode()
        return hashlib.sha1(key).hexdigest()[:10]  # noqa: S324 - a slug suffix, not security

    def _unique_slugs(self, model, targets) -> None:
        taken = present(model, "slug", [t.slug for t in targets])
        seen: set = set()
        for target in targets:
            salt = 0
            while target.slug in taken or target.slug in seen:
                salt += 1
                base = target.slug.rsplit("-", 1)[0]
                target.slug = f"{base}-{self._suffix(target.slug, str(salt))}"
            seen.add(target.slug)

    # --- merging and duplicates ---

    def _merge_targets(self, prepared_list) -> dict:
        """(scheme, value) -> existing asset id, for the external identifiers in the page."""
        pairs = {
            (scheme, value)
            for prepared in prepared_list
            for scheme, value in prepared.extras.get("identifiers", [])
        }
        if not pairs:
            return {}
        rows = ExternalIdentifier.objects.filter(
            value__in={value for _, value in pairs}
        ).values_list("scheme", "value", "asset_id")
        return {(s, v): a for s, v, a in rows if (s, v) in pairs}

    def _find_merge(self, prepared, merge_ids, page_identifiers):
        for scheme, value in prepared.extras.get("identifiers", []):
            key = (scheme, value)
            if key in merge_ids:
                return merge_ids[key]
            if key in page_identifiers:
                return page_identifiers[key]
        return None

    def _add_identifiers(self, items) -> None:
        rows = [
            ExternalIdentifier(asset_id=asset_id, scheme=scheme, value=value)
            for asset_id, prepared in items
            for scheme, value in prepared.extras.get("identifiers", [])
        ]
        if rows:
            ExternalIdentifier.objects.bulk_create(rows, ignore_conflicts=True)

    def _assets_near(self, new_assets) -> list:
        """(id, title, lat, lon) of the assets within DUPLICATE_RADIUS_KM of the new ones: a
        union of small boxes, each served by the lat/lon index; in chunks, as SQLite refuses
        an expression deeper than 1,000 terms (a page of 1,000 records)."""
        table = connection.ops.quote_name(Asset._meta.db_table)
        rows = []
        for start in range(0, len(new_assets), BOXES_PER_QUERY):
            terms, params = [], [Status.DELETED]
            for asset in new_assets[start : start + BOXES_PER_QUERY]:
                min_lon, min_lat, max_lon, max_lat = bbox_around(
                    asset.lat, asset.lon, DUPLICATE_RADIUS_KM
                )
                terms.append("(lat BETWEEN %s AND %s AND lon BETWEEN %s AND %s)")
                params += [min_lat, max_lat, min_lon, max_lon]
            sql = (
                f"SELECT id, title, lat, lon FROM {table} "  # noqa: S608 - no user input in SQL
                f"WHERE status <> %s AND ({' OR '.join(terms)})"
            )
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                rows += cursor.fetchall()
        return rows

    def _propose_duplicates(self, new_assets, near) -> None:
        """Same normalised title within 100 m: the new assets against ``near`` (the assets
        around them, ``_assets_near``) and against each other, from memory."""
        new_keys = {
            asset.pk: getattr(asset, "_title_keys", None) or title_keys(asset.title)
            for asset in new_assets
        }
        by_key: dict = {}  # normalised title -> {(id, lat, lon)}
        for asset in new_assets:
            for key in new_keys[asset.pk]:
                by_key.setdefault(key, set()).add((asset.pk, asset.lat, asset.lon))
        for pk, title, lat, lon in near:
            pk = _uuid(pk)
            title = json.loads(title) if isinstance(title, str) else title
            for text in (title or {}).values():
                if text:
                    by_key.setdefault(normalise_title_key(text), set()).add((pk, lat, lon))
        proposals = []
        for asset in new_assets:
            matches = set()
            for key in new_keys[asset.pk]:
                matches |= by_key.get(key, set())
            for pk, lat, lon in matches:
                if pk == asset.pk or (pk in new_keys and str(pk) < str(asset.pk)):
                    continue  # itself; or both new: propose the pair once
                distance = haversine_km(asset.lat, asset.lon, lat, lon)
                if distance <= DUPLICATE_RADIUS_KM:
                    proposals.append(
                        DuplicateCandidate(
                            asset_id=asset.pk,
                            other_id=pk,
                            reason="same title within 100 m",
                            distance_m=round(distance * 1000, 1),
                            source=self.source,
                        )
                    )
        if proposals:
            DuplicateCandidate.objects.bulk_create(proposals, ignore_conflicts=True)

    # --- deletions ---

    def _tombstone(self, model, fk, records, result) -> None:
        """Tombstone targets whose every source now says deleted (simple: the origin did)."""
        target_ids = {getattr(sr, fk + "_id") for sr in records}
        still_live = set(
            SourceRecord.objects.filter(**{f"{fk}_id__in": target_ids, "deleted": False})
            .exclude(pk__in=[sr.pk for sr in records])
            .values_list(f"{fk}_id", flat=True)
        )
        doomed = [pk for pk in target_ids if pk not in still_live]
        if not doomed:
            return
        model.objects.filter(pk__in=doomed).exclude(status=Status.DELETED).update(
            status=Status.DELETED, deleted_at=self.now, updated_at=self.now
        )
        if fk == "asset":
            result.asset_ids.update(doomed)


def _lock_new_assets() -> None:
    """Until the transaction ends, be the only harvest that adds assets or external
    identifiers: what ``_merge_targets`` and ``_assets_near`` read must not miss what a run
    of another source adds at the same time (one asset per Wikidata QID, the duplicate
    proposals). SQLite's transactions already take the write lock as they begin
    (``transaction_mode`` IMMEDIATE)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [NEW_ASSETS_LOCK])


def _uuid(value) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
