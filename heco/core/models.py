"""Shared model building blocks: identity, lifecycle with tombstones, demo marking."""

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class URLField(models.URLField):
    """A link field whose forms complete a typed address without a scheme with ``https://``
    ("museum.lt" becomes "https://museum.lt"), as Django 6.0 will by default; Django 5.2's
    forms still add ``http://`` (and warn about the change).

    Stored and migrated exactly as ``models.URLField``: ``deconstruct`` names Django's own
    field, so using this one needs no migration."""

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.URLField", args, kwargs

    def formfield(self, **kwargs):
        return super().formfield(**{"assume_scheme": "https", **kwargs})


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    REVIEW = "review", _("In review")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    DELETED = "deleted", _("Deleted (tombstone)")


class LifecycleQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Status.PUBLISHED)

    def live(self):
        """Everything that is not a tombstone."""
        return self.exclude(status=Status.DELETED)


class Record(models.Model):
    """Abstract base: UUID identity, slug for URLs, lifecycle status, timestamps, demo flag."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    slug = models.SlugField(max_length=120, allow_unicode=False)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True, db_index=True)
    deleted_at = models.DateTimeField(_("deleted"), null=True, blank=True)
    is_demo = models.BooleanField(
        _("demo data"), default=False, help_text=_("Generated demo record.")
    )

    objects = LifecycleQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def is_public(self) -> bool:
        return self.status == Status.PUBLISHED

    def tombstone(self):
        """Mark as deleted but keep the row so feeds, sitemaps and aggregators learn of it."""
        self.status = Status.DELETED
        self.deleted_at = timezone.now()
