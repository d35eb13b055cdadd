"""QR short links (``/q/<code>``) and their anonymous per-day scan counts.

A short link names its target by type and UUID, not by URL, so a printed code keeps working
when the page's slug or address changes. Scans are counted without personal data: no IP
address, no user agent, no cookie; only a total and a count per day.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ShortLink(models.Model):
    class TargetType(models.TextChoices):
        ASSET = "asset", _("Heritage asset")
        EVENT = "event", _("Event")
        ORGANISATION = "organisation", _("Organisation")
        ROUTE = "route", _("Route")

    code = models.CharField(_("code"), max_length=16, unique=True)
    target_type = models.CharField(_("target type"), max_length=16, choices=TargetType.choices)
    target_id = models.UUIDField(_("target id"))
    medium = models.CharField(
        _("printed on"),
        max_length=16,
        blank=True,
        help_text=_("Which kind of print carries the code (poster, panel, labels…)."),
    )
    scan_count = models.PositiveIntegerField(_("scans"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("short link")
        verbose_name_plural = _("short links")
        ordering = ["-created_at"]
        constraints = [
            # one code per target and print medium, so scans from a poster and a label
            # can be told apart; printing again reuses the code already on paper
            models.UniqueConstraint(
                fields=["target_type", "target_id", "medium"], name="shortlink_unique_target"
            ),
            models.CheckConstraint(
                condition=Q(target_type__in=["asset", "event", "organisation", "route"]),
                name="shortlink_known_target_type",
            ),
        ]

    def __str__(self):
        return f"/q/{self.code} → {self.target_type}:{self.target_id}"


class ShortLinkScanDay(models.Model):
    """How many times a short link was scanned on one day (server's local date)."""

    link = models.ForeignKey(ShortLink, on_delete=models.CASCADE, related_name="scan_days")
    day = models.DateField(_("day"))
    count = models.PositiveIntegerField(_("scans"), default=0)

    class Meta:
        verbose_name = _("scans on one day")
        verbose_name_plural = _("scans per day")
        ordering = ["link", "-day"]
        constraints = [
            # the scan counter updates the one row of (link, day) with F("count") + 1
            models.UniqueConstraint(fields=["link", "day"], name="shortlink_scanday_unique"),
        ]

    def __str__(self):
        return f"{self.link.code} {self.day}: {self.count}"
