"""Organisations, communities, networks, and memberships with roles."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from heco.core.langmap import LanguageMapField, pick
from heco.core.models import URLField


class Community(models.Model):
    class Kind(models.TextChoices):
        LOCALITY = "locality", _("Locality")
        MUNICIPALITY = "municipality", _("Municipality")
        REGION = "region", _("Region")
        COUNTRY = "country", _("Country")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    slug = models.SlugField(max_length=120, unique=True)
    name = LanguageMapField(_("name"))
    description = LanguageMapField(_("description"), blank=True, textarea=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    country = models.CharField(_("country"), max_length=2, help_text=_("ISO 3166-1 alpha-2"))
    parent = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="children"
    )
    default_language = models.CharField(_("default language"), max_length=12, default="en")
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("community")
        verbose_name_plural = _("communities")
        ordering = ["country", "slug"]
        constraints = [
            models.CheckConstraint(
                condition=Q(lat__isnull=True) | Q(lat__gte=-90, lat__lte=90), name="community_lat"
            ),
            models.CheckConstraint(
                condition=Q(lon__isnull=True) | Q(lon__gte=-180, lon__lte=180),
                name="community_lon",
            ),
        ]

    def __str__(self):
        return pick(self.name, "en").text or self.slug


class Organisation(models.Model):
    class Kind(models.TextChoices):
        LIBRARY = "library", _("Library")
        MUSEUM = "museum", _("Museum")
        ARCHIVE = "archive", _("Archive")
        HERITAGE_SITE = "heritage_site", _("Heritage site")
        MUNICIPALITY = "municipality", _("Municipality")
        ASSOCIATION = "association", _("Association")
        SCHOOL = "school", _("School")
        BUSINESS = "business", _("Business")
        ACADEMY = "academy", _("Academy")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    slug = models.SlugField(max_length=120, unique=True)
    name = LanguageMapField(_("name"))
    description = LanguageMapField(_("description"), blank=True, textarea=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    community = models.ForeignKey(
        Community,
        on_delete=models.PROTECT,
        related_name="organisations",
        verbose_name=_("community"),
    )
    address = models.CharField(_("address"), max_length=255, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    website = URLField(_("website"), blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    isil = models.CharField(_("ISIL"), max_length=32, blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["slug"]
        constraints = [
            models.CheckConstraint(
                condition=Q(lat__isnull=True) | Q(lat__gte=-90, lat__lte=90),
                name="organisation_lat",
            ),
            models.CheckConstraint(
                condition=Q(lon__isnull=True) | Q(lon__gte=-180, lon__lte=180),
                name="organisation_lon",
            ),
        ]

    def __str__(self):
        return pick(self.name, "en").text or self.slug


class Network(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    slug = models.SlugField(max_length=120, unique=True)
    name = LanguageMapField(_("name"))
    description = LanguageMapField(_("description"), blank=True, textarea=True)
    default_language = models.CharField(_("default language"), max_length=12, default="en")
    organisations = models.ManyToManyField(
        Organisation, related_name="networks", blank=True, verbose_name=_("organisations")
    )
    website = URLField(_("website"), blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)
    history = HistoricalRecords(m2m_fields=[organisations])

    class Meta:
        verbose_name = _("network")
        verbose_name_plural = _("networks")
        ordering = ["slug"]

    def __str__(self):
        return pick(self.name, "en").text or self.slug


class Role(models.TextChoices):
    COORDINATOR = "coordinator", _("Network coordinator")
    ADMIN = "admin", _("Organisation admin")
    EDITOR = "editor", _("Editor")
    CONTRIBUTOR = "contributor", _("Contributor")
    VIEWER = "viewer", _("Viewer")


EDIT_ROLES = {Role.COORDINATOR, Role.ADMIN, Role.EDITOR}


class Membership(models.Model):
    """A user's role in one organisation, or (coordinators) in one network."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, null=True, blank=True, related_name="memberships"
    )
    network = models.ForeignKey(
        Network, on_delete=models.CASCADE, null=True, blank=True, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            # exactly one scope: an organisation or a network
            models.CheckConstraint(
                condition=(Q(organisation__isnull=False) & Q(network__isnull=True))
                | (Q(organisation__isnull=True) & Q(network__isnull=False)),
                name="membership_one_scope",
            ),
            # a network scope is only for coordinators
            models.CheckConstraint(
                condition=Q(network__isnull=True) | Q(role="coordinator"),
                name="membership_network_is_coordinator",
            ),
            models.UniqueConstraint(
                fields=["user", "organisation", "role"], name="membership_unique_org_role"
            ),
        ]

    def __str__(self):
        return f"{self.user} – {self.get_role_display()} – {self.organisation or self.network}"
