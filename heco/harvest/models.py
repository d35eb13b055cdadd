"""Harvest sources, runs, per-record provenance and duplicate proposals.

Provenance lives here, not on the harvested asset: a ``SourceRecord`` says which source sent
which record (its identifier there, datestamp, when we fetched it, the raw metadata as received
and the field values we derived from it). Local edits are kept apart: an asset field is only
overwritten by a re-harvest when it still equals the value the previous harvest wrote.
"""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import OuterRef, Q, Subquery
from django.utils.translation import gettext_lazy as _


class SourceQuerySet(models.QuerySet):
    def with_last_started_at(self):
        """Annotate ``last_started_at``: the start of each source's last run, whatever its
        outcome (``Source.next_harvest_at`` reads it)."""
        last = HarvestRun.objects.filter(source=OuterRef("pk")).order_by("-started_at")
        return self.annotate(last_started_at=Subquery(last.values("started_at")[:1]))


class Source(models.Model):
    class Kind(models.TextChoices):
        OAI_PMH = "oai-pmh", _("OAI-PMH")
        CSV = "csv", _("CSV / XLSX file")
        ICAL = "ical", _("iCalendar feed")
        JSONLD = "jsonld", _("schema.org JSON-LD page")

    class Interval(models.IntegerChoices):
        """How often an active source is harvested, in hours."""

        HOURLY = 1, _("Hourly")
        SIX_HOURLY = 6, _("Every 6 hours")
        DAILY = 24, _("Daily")
        WEEKLY = 168, _("Weekly")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200, blank=True)
    url = models.CharField(
        _("URL or file path"), max_length=1000, help_text=_("Base URL, feed URL or file path.")
    )
    metadata_prefix = models.CharField(_("metadata prefix"), max_length=32, blank=True)
    set_spec = models.CharField(_("set"), max_length=200, blank=True)
    mapping = models.JSONField(
        _("mapping"), default=dict, blank=True, help_text=_("Column mapping and kind options.")
    )
    organisation = models.ForeignKey(
        "network.Organisation",
        on_delete=models.PROTECT,
        related_name="harvest_sources",
        verbose_name=_("data provider"),
    )
    aggregator = models.CharField(
        _("intermediate aggregator"),
        max_length=200,
        blank=True,
        help_text=_("The aggregator the records pass through, if any (e.g. a national portal)."),
    )
    active = models.BooleanField(_("harvested on schedule"), default=True)
    harvest_every = models.PositiveSmallIntegerField(
        _("harvest interval"),
        choices=Interval.choices,
        default=Interval.DAILY,
        help_text=_(
            "Counted from the start of the last run, successful or not: a source that fails "
            "is tried again after this interval."
        ),
    )
    last_success_at = models.DateTimeField(
        _("last successful harvest"),
        null=True,
        blank=True,
        help_text=_("Start of the last completed run; the next incremental run asks from here."),
    )
    checkpoint = models.JSONField(
        _("checkpoint"),
        default=dict,
        blank=True,
        help_text=_("Where an interrupted list resumes (e.g. the OAI-PMH resumption token)."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SourceQuerySet.as_manager()

    class Meta:
        verbose_name = _("harvest source")
        verbose_name_plural = _("harvest sources")
        ordering = ["id"]
        constraints = [
            # the hours of Source.Interval (an interval the schedule does not know never runs)
            models.CheckConstraint(
                condition=Q(harvest_every__in=[1, 6, 24, 168]), name="source_harvest_every_known"
            ),
        ]

    def __str__(self):
        return self.name or f"{self.get_kind_display()} {self.url}"

    def next_harvest_at(self):
        """When the schedule harvests this source next: ``harvest_every`` after the start of
        its last run, whatever that run's outcome; its creation (due at once) when it never
        ran; None when it is not harvested on schedule. Reads ``last_started_at`` from
        ``Source.objects.with_last_started_at()`` when the source comes from there."""
        if not self.active:
            return None
        if hasattr(self, "last_started_at"):
            last = self.last_started_at
        else:
            last = self.runs.order_by("-started_at").values_list("started_at", flat=True).first()
        if last is None:
            return self.created_at
        return last + timedelta(hours=self.harvest_every)

    def clean(self):
        super().clean()
        if not isinstance(self.mapping, dict):
            raise ValidationError(
                {"mapping": _("The mapping must be a JSON object of names and values.")}
            )


class HarvestRun(models.Model):
    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        COMPLETED = "completed", _("Completed")
        PARTIAL = "partial", _("Partial")
        FAILED = "failed", _("Failed")

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="runs")
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.RUNNING
    )
    full = models.BooleanField(_("full harvest"), default=False)
    fetched = models.PositiveIntegerField(_("fetched"), default=0)
    created = models.PositiveIntegerField(_("created"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    deleted = models.PositiveIntegerField(_("deleted"), default=0)
    failed = models.PositiveIntegerField(_("failed"), default=0)
    conflicts = models.PositiveIntegerField(_("local edits kept"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)

    class Meta:
        verbose_name = _("harvest run")
        verbose_name_plural = _("harvest runs")
        ordering = ["-started_at"]
        indexes = [
            # source admin page and "last run" lookups: newest runs of one source
            models.Index(fields=["source", "-started_at"], name="harvestrun_source_started"),
        ]

    def __str__(self):
        return f"{self.source} – {self.started_at:%Y-%m-%d %H:%M} – {self.status}"

    @property
    def duration(self):
        if self.finished_at:
            return self.finished_at - self.started_at
        return None

    def report(self) -> dict:
        """The run report: the shape of ``heco harvest --json``."""
        duration = self.duration
        return {
            "run": self.pk,
            "source": self.source_id,
            "status": self.status,
            "fetched": self.fetched,
            "created": self.created,
            "updated": self.updated,
            "deleted": self.deleted,
            "failed": self.failed,
            "conflicts": self.conflicts,
            "duration": round(duration.total_seconds(), 3) if duration else None,
            "errors": self.errors,
        }


class SourceRecord(models.Model):
    """One record as a source sent it, and the asset or event it feeds."""

    # no single-column indexes on the foreign keys: sourcerecord_unique, sourcerecord_asset
    # and sourcerecord_event lead with them (fewer b-trees to write per harvested record)
    source = models.ForeignKey(
        Source, on_delete=models.CASCADE, related_name="records", db_index=False
    )
    identifier = models.CharField(_("identifier at the source"), max_length=500)
    asset = models.ForeignKey(
        "heritage.Asset",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="source_records",
        db_index=False,
    )
    event = models.ForeignKey(
        "programme.Event",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="source_records",
        db_index=False,
    )
    is_origin = models.BooleanField(
        _("created the record"),
        default=False,
        help_text=_("This record created the asset/event (rather than merging into one)."),
    )
    datestamp = models.DateTimeField(_("datestamp at the source"), null=True, blank=True)
    fetched_at = models.DateTimeField(_("last fetched"))
    deleted = models.BooleanField(_("deleted at the source"), default=False)
    raw = models.TextField(_("raw metadata as received"), blank=True)
    harvested = models.JSONField(
        _("harvested values"),
        default=dict,
        blank=True,
        help_text=_("Field values derived from this record, as last written by a harvest."),
    )
    content_hash = models.CharField(_("content hash"), max_length=64, blank=True)
    conflicts = models.JSONField(
        _("local edits kept"),
        default=dict,
        blank=True,
        help_text=_("Fields edited locally that the source changed: {field: source value}."),
    )
    needs_review = models.BooleanField(_("needs review"), default=False)
    review_reasons = models.JSONField(_("review reasons"), default=list, blank=True)

    class Meta:
        verbose_name = _("source record")
        verbose_name_plural = _("source records")
        constraints = [
            # idempotence: one row per record of a source, whatever the number of runs
            models.UniqueConstraint(fields=["source", "identifier"], name="sourcerecord_unique"),
            models.CheckConstraint(
                condition=Q(asset__isnull=True) | Q(event__isnull=True),
                name="sourcerecord_one_target",
            ),
        ]
        indexes = [
            # provenance_for(asset) and the tombstone check: all source records of one asset
            models.Index(fields=["asset", "deleted"], name="sourcerecord_asset"),
            # the same for events
            models.Index(fields=["event", "deleted"], name="sourcerecord_event"),
            # the review queue in the admin
            models.Index(fields=["needs_review"], name="sourcerecord_review"),
        ]

    def __str__(self):
        return f"{self.source_id}:{self.identifier}"


class DuplicateCandidate(models.Model):
    """Two assets that look like the same thing (same normalised title within 100 m)."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        CONFIRMED = "confirmed", _("Confirmed (merged)")
        REJECTED = "rejected", _("Rejected (different assets)")

    asset = models.ForeignKey(
        "heritage.Asset", on_delete=models.CASCADE, related_name="duplicate_candidates"
    )
    other = models.ForeignKey("heritage.Asset", on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("reason"), max_length=200)
    distance_m = models.FloatField(_("distance (m)"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED
    )
    source = models.ForeignKey(
        Source, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("duplicate candidate")
        verbose_name_plural = _("duplicate candidates")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["asset", "other"], name="duplicate_unique_pair"),
            models.CheckConstraint(
                condition=~Q(asset=models.F("other")), name="duplicate_distinct"
            ),
        ]
        indexes = [
            # the coordinator's queue: open proposals
            models.Index(fields=["status", "-created_at"], name="duplicate_status"),
        ]

    def __str__(self):
        return f"{self.asset} ≟ {self.other}"
