"""Communication items, the social channels they go out on, and one delivery per item and
channel.

Links: an item points at assets and events (many-to-many) and at any other record (a route,
a sponsorship campaign, …) through :class:`ItemLink`, a generic relation, so the apps that own
campaigns and routes need no change here to be linked.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from heco.comms import crypto
from heco.core.langmap import LanguageMapField, pick
from heco.core.models import URLField


class ItemQuerySet(models.QuerySet):
    def for_organisations(self, ids):
        """``ids`` from heco.network.selectors (``None`` = no limit, superuser)."""
        return self if ids is None else self.filter(organisation_id__in=ids)

    def due(self, now):
        return self.filter(status=Item.Status.SCHEDULED, scheduled_at__lte=now)

    def on_web(self):
        """Items whose public news page is up: published, or approved and past their time
        while their posts are still going out (scheduled) or one of them gave up (failed).
        ``published_at`` is when the page went public (``item_web_publish``)."""
        return self.filter(
            Q(status=Item.Status.PUBLISHED)
            | Q(
                status__in=[Item.Status.SCHEDULED, Item.Status.FAILED],
                published_at__isnull=False,
                approved_at__isnull=False,
            )
        )


class Item(models.Model):
    class Kind(models.TextChoices):
        NEWS = "news", _("News")
        STORY = "story", _("Story")
        EVENT = "event-announcement", _("Event announcement")
        VOLUNTEERS = "call-for-volunteers", _("Call for volunteers")
        CAMPAIGN = "campaign-update", _("Campaign update")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        REVIEW = "review", _("In review")
        SCHEDULED = "scheduled", _("Scheduled")
        PUBLISHED = "published", _("Published")
        FAILED = "failed", _("Failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    slug = models.SlugField(max_length=120)
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices, default=Kind.NEWS)
    organisation = models.ForeignKey(
        "network.Organisation",
        on_delete=models.CASCADE,
        related_name="comms_items",
        verbose_name=_("organisation"),
    )
    title = LanguageMapField(_("title"))
    summary = LanguageMapField(
        _("summary"),
        blank=True,
        textarea=True,
        help_text=_("The short text used for social posts; the body is used when it is empty."),
    )
    body = LanguageMapField(_("body"), blank=True, textarea=True)
    link_url = URLField(
        _("link"),
        blank=True,
        help_text=_("Where posts link to; empty: the item's own news page on this site."),
    )
    assets = models.ManyToManyField(
        "heritage.Asset", blank=True, related_name="comms_items", verbose_name=_("assets")
    )
    events = models.ManyToManyField(
        "programme.Event", blank=True, related_name="comms_items", verbose_name=_("events")
    )
    images = models.ManyToManyField(
        "heritage.Media", blank=True, related_name="comms_items", verbose_name=_("images")
    )
    channels = models.ManyToManyField(
        "comms.Channel",
        blank=True,
        related_name="items",
        verbose_name=_("channels"),
        help_text=_("Empty: every active channel of the organisation."),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    scheduled_at = models.DateTimeField(_("scheduled for"), null=True, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    is_demo = models.BooleanField(_("demo data"), default=False)

    objects = ItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("communication item")
        verbose_name_plural = _("communication items")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["slug"], name="comms_item_unique_slug"),
            models.CheckConstraint(
                condition=~Q(status="scheduled") | Q(scheduled_at__isnull=False),
                name="comms_item_scheduled_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["scheduled", "published"])
                | Q(approved_by__isnull=False, approved_at__isnull=False),
                name="comms_item_scheduled_is_approved",
            ),
        ]
        indexes = [
            # worker: scheduled items whose time has come (item_publish_due)
            models.Index(fields=["status", "scheduled_at"], name="comms_item_due"),
            # calendar: one organisation's items in a month
            models.Index(fields=["organisation", "scheduled_at"], name="comms_item_org_sched"),
        ]

    def __str__(self):
        return pick(self.title, "en").text or self.slug

    @property
    def is_editable(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.REVIEW, self.Status.FAILED)

    @property
    def is_on_web(self) -> bool:
        """The same rule as ``Item.objects.on_web()``, for one item already loaded."""
        if self.status == self.Status.PUBLISHED:
            return True
        return bool(
            self.status in (self.Status.SCHEDULED, self.Status.FAILED)
            and self.published_at
            and self.approved_at
        )

    @property
    def calendar_date(self):
        return self.published_at or self.scheduled_at


class ItemLink(models.Model):
    """An item's link to any other record (route, campaign, …) by content type and id."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="links")
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.CharField(max_length=64)  # UUIDs and integer ids alike
    target = GenericForeignKey("content_type", "object_id")

    class Meta:
        verbose_name = _("linked record")
        verbose_name_plural = _("linked records")
        constraints = [
            models.UniqueConstraint(
                fields=["item", "content_type", "object_id"], name="comms_itemlink_unique"
            )
        ]

    def __str__(self):
        return f"{self.content_type.model}:{self.object_id}"


class Channel(models.Model):
    """One social account of an organisation. Credentials are kept encrypted (see crypto)."""

    class Kind(models.TextChoices):
        MASTODON = "mastodon", _("Mastodon")
        BLUESKY = "bluesky", _("Bluesky")
        FACEBOOK = "facebook", _("Facebook (copy-ready export)")
        INSTAGRAM = "instagram", _("Instagram (copy-ready export)")
        X = "x", _("X (copy-ready export)")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(
        "network.Organisation",
        on_delete=models.CASCADE,
        related_name="comms_channels",
        verbose_name=_("organisation"),
    )
    kind = models.CharField(_("network"), max_length=12, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=120)
    base_url = URLField(
        _("instance or server URL"),
        blank=True,
        help_text=_("e.g. https://mastodon.social or https://bsky.social"),
    )
    account = models.CharField(
        _("account"),
        max_length=255,
        blank=True,
        help_text=_("Handle, e.g. @museum@mastodon.social or museum.bsky.social"),
    )
    language = models.CharField(
        _("language of posts"), max_length=12, choices=settings.LANGUAGES, default="en"
    )
    credentials_encrypted = models.TextField(_("credentials (encrypted)"), blank=True, default="")
    max_length = models.PositiveIntegerField(
        _("post length limit"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_(
            "Mastodon only: the instance's limit, if it is not 500 (its "
            "configuration.statuses.max_characters). Empty: the network's default."
        ),
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        verbose_name = _("channel")
        verbose_name_plural = _("channels")
        ordering = ["organisation", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="comms_channel_unique")
        ]

    def __str__(self):
        return f"{self.name} ({self.get_kind_display()}, {self.language})"

    def clean(self):
        if self.max_length is not None and self.kind != self.Kind.MASTODON:
            raise ValidationError(
                {"max_length": _("Only a Mastodon instance sets its own post length limit.")}
            )

    def set_credentials(self, data: dict) -> None:
        self.credentials_encrypted = crypto.encrypt_json(data)

    def get_credentials(self) -> dict:
        return crypto.decrypt_json(self.credentials_encrypted)

    @property
    def plugin(self):
        from heco.comms.channels import get_plugin

        return get_plugin(self.kind)


def idempotency_key_for(item_id, channel_id) -> str:
    """One key per item and channel: the database, Mastodon's Idempotency-Key header and the
    Bluesky record key are all derived from it, so no path can post the same item twice."""
    return f"heco-{uuid.UUID(str(item_id)).hex}-{uuid.UUID(str(channel_id)).hex}"


class Delivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        EXPORTED = "exported", _("Exported (copy-ready)")

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="deliveries")
    idempotency_key = models.CharField(max_length=100, unique=True, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    remote_id = models.CharField(_("remote id"), max_length=255, blank=True)
    remote_url = URLField(_("post URL"), max_length=500, blank=True)
    text = models.TextField(_("text sent"), blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    # when the first attempt whose outcome is unknown (no answer, a 5xx, a worker that died)
    # started: the post may exist although we never learnt its id. A retry after the network's
    # idempotency window looks for it before posting (services.delivery_send).
    unconfirmed_since = models.DateTimeField(
        _("possibly posted since"), null=True, blank=True, editable=False
    )
    claimed_until = models.DateTimeField(null=True, blank=True, editable=False)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    log = models.JSONField(_("log"), default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["item", "channel"], name="comms_delivery_unique"),
        ]
        indexes = [
            # worker: pending deliveries whose (next) attempt is due
            models.Index(fields=["status", "next_attempt_at"], name="comms_delivery_due"),
        ]

    def __str__(self):
        return f"{self.item} → {self.channel} ({self.get_status_display()})"

    def save(self, *args, **kwargs):
        if not self.idempotency_key:
            self.idempotency_key = idempotency_key_for(self.item_id, self.channel_id)
        super().save(*args, **kwargs)
