"""Newsletter lists, their subscribers (double opt-in, consent record), editions and the
per-recipient send log.

Personal data is kept minimal: an email address, a language, a status and the consent record
(purpose, time, wording version and the wording shown). No IP address is stored; the sign-up
rate limit lives in the cache only.
"""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from heco.core.langmap import LanguageMapField, pick

# /<lang>/newsletter/<slug>/ would be shadowed by these pages
RESERVED_SLUGS = {"my-data", "confirm"}


def new_token() -> str:
    return secrets.token_urlsafe(24)


class SubscriberList(models.Model):
    """A newsletter of one organisation or of one network (exactly one of the two)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    name = LanguageMapField(_("name"))
    description = LanguageMapField(_("description"), blank=True, textarea=True)
    organisation = models.ForeignKey(
        "network.Organisation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="newsletter_lists",
        verbose_name=_("organisation"),
    )
    network = models.ForeignKey(
        "network.Network",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="newsletter_lists",
        verbose_name=_("network"),
    )
    default_language = models.CharField(
        _("default language"), max_length=12, choices=settings.LANGUAGES, default="en"
    )
    active = models.BooleanField(_("open for sign-up"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        verbose_name = _("newsletter list")
        verbose_name_plural = _("newsletter lists")
        ordering = ["slug"]
        constraints = [
            models.CheckConstraint(
                condition=Q(organisation__isnull=False, network__isnull=True)
                | Q(organisation__isnull=True, network__isnull=False),
                name="newsletter_list_one_owner",
            ),
        ]

    def __str__(self):
        return pick(self.name, "en").text or self.slug

    def clean(self):
        if self.slug in RESERVED_SLUGS:
            raise ValidationError({"slug": _("This address is taken by the site; choose another.")})

    def organisation_ids(self) -> list:
        """The organisations whose items and events the list's editions draw on."""
        if self.organisation_id:
            return [self.organisation_id]
        return list(self.network.organisations.values_list("id", flat=True))


class Subscriber(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending confirmation")
        CONFIRMED = "confirmed", _("Confirmed")
        UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    list = models.ForeignKey(
        SubscriberList,
        on_delete=models.CASCADE,
        related_name="subscribers",
        verbose_name=_("list"),
    )
    email = models.EmailField(_("email"))
    language = models.CharField(
        _("language"), max_length=12, choices=settings.LANGUAGES, default="en"
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PENDING
    )
    # random and never shown bare: links carry it signed (see heco.newsletters.tokens)
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    consent_purpose = models.CharField(_("consent purpose"), max_length=255, blank=True)
    consent_wording_version = models.CharField(_("consent wording version"), max_length=32)
    consent_text = models.TextField(_("consent wording shown"), blank=True)
    consent_at = models.DateTimeField(_("consent given"), null=True, blank=True)
    # confirmation mails sent to this address: the last one, and how many since the start of
    # the current 24-hour window (services.subscriber_signup spaces and caps them)
    confirm_sent_at = models.DateTimeField(
        _("confirmation mail sent"), null=True, blank=True, editable=False
    )
    confirm_window_start = models.DateTimeField(null=True, blank=True, editable=False)
    confirm_sends = models.PositiveSmallIntegerField(default=0, editable=False)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("unsubscribed"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        verbose_name = _("subscriber")
        verbose_name_plural = _("subscribers")
        ordering = ["list", "email"]
        constraints = [
            models.UniqueConstraint(fields=["list", "email"], name="newsletter_subscriber_unique"),
        ]
        indexes = [
            # sending: the confirmed subscribers of a list
            models.Index(fields=["list", "status"], name="newsletter_subscriber_status"),
        ]

    def __str__(self):
        return f"{self.email} ({self.get_status_display()})"


class Edition(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    list = models.ForeignKey(
        SubscriberList, on_delete=models.CASCADE, related_name="editions", verbose_name=_("list")
    )
    slug = models.SlugField(_("slug"), max_length=120, help_text=_("e.g. 2026-11"))
    month = models.DateField(_("month"), help_text=_("The first day of the edition's month."))
    title = LanguageMapField(_("title"))
    intro = LanguageMapField(_("introduction"), blank=True, textarea=True)
    items = models.ManyToManyField(
        "comms.Item",
        blank=True,
        related_name="newsletter_editions",
        verbose_name=_("items"),
        help_text=_("Empty: the list's items published in the edition's month."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    # {lang: {"subject", "title", "intro", "items": [...], "events": [...]}}: frozen when
    # sending starts, so the archive shows what was sent
    content = models.JSONField(_("assembled content"), default=dict, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        verbose_name = _("newsletter edition")
        verbose_name_plural = _("newsletter editions")
        ordering = ["-month", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["list", "slug"], name="newsletter_edition_unique"),
        ]
        indexes = [
            # public archive: a list's sent editions, newest first
            models.Index(fields=["list", "status", "month"], name="newsletter_edition_archive"),
        ]

    def __str__(self):
        return pick(self.title, "en").text or self.slug


class SendLog(models.Model):
    """One row per edition and subscriber: the guard against mailing anyone twice.

    When a subscriber's data is erased, their rows stay without subscriber, address or error
    (see ``heco.newsletters.privacy``): the edition's counts stay right, nobody is named."""

    class Status(models.TextChoices):
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="send_logs")
    subscriber = models.ForeignKey(
        Subscriber, on_delete=models.SET_NULL, null=True, blank=True, related_name="send_logs"
    )
    email = models.EmailField(_("email"), blank=True)
    language = models.CharField(_("edition language"), max_length=12)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("send log entry")
        verbose_name_plural = _("send log")
        ordering = ["edition", "email"]
        constraints = [
            models.UniqueConstraint(
                fields=["edition", "subscriber"], name="newsletter_sendlog_unique"
            ),
        ]

    def __str__(self):
        return f"{self.email or _('(erased)')}: {self.get_status_display()}"
