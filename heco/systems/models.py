"""Systems built on the aggregate: routes (itineraries) and the joint heritage pass.

A route belongs to one organisation (who edits it) and optionally a network; its stops may be
assets, services or partner places of any organisation in any country. Distances and
durations are derived from the stops, never stored (see ``heco.systems.routing``).
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from heco.core.geo import valid_point
from heco.core.langmap import LanguageMapField, pick
from heco.core.models import Record


def _published(record) -> bool:
    return record is not None and record.status == "published"


class Route(Record):
    class Mode(models.TextChoices):
        WALK = "walk", _("On foot")
        BIKE = "bike", _("By bicycle")
        CAR = "car", _("By car")

    title = LanguageMapField(_("title"))
    summary = LanguageMapField(_("summary"), blank=True, textarea=True)
    description = LanguageMapField(_("description"), blank=True, textarea=True)
    mode = models.CharField(_("mode"), max_length=8, choices=Mode.choices, default=Mode.WALK)
    organisation = models.ForeignKey(
        "network.Organisation",
        on_delete=models.CASCADE,
        related_name="routes",
        verbose_name=_("managing organisation"),
    )
    network = models.ForeignKey(
        "network.Network",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="routes",
        verbose_name=_("network"),
    )
    partners = models.ManyToManyField(
        "network.Organisation",
        blank=True,
        related_name="partner_routes",
        verbose_name=_("partner organisations"),
        help_text=_("Other organisations that take part in this route."),
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("route")
        verbose_name_plural = _("routes")
        ordering = ["slug"]
        constraints = [models.UniqueConstraint(fields=["slug"], name="route_unique_slug")]
        indexes = [
            # public route list: published routes by slug
            models.Index(fields=["status", "slug"], name="route_status_slug"),
        ]

    def __str__(self):
        return pick(self.title, "en").text or self.slug


class RouteStop(models.Model):
    """One ordered stop: an asset, a service, a partner organisation's place, or a free place
    with its own name and coordinates. Own coordinates override those of the linked record."""

    route = models.ForeignKey(Route, on_delete=models.CASCADE, related_name="stops")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    asset = models.ForeignKey(
        "heritage.Asset",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="route_stops",
        verbose_name=_("heritage asset"),
    )
    service = models.ForeignKey(
        "programme.Service",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="route_stops",
        verbose_name=_("cultural service"),
    )
    place_organisation = models.ForeignKey(
        "network.Organisation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="route_stops",
        verbose_name=_("partner place"),
        help_text=_("A partner organisation's own place (a café, a guesthouse, a shop)."),
    )
    name = LanguageMapField(
        _("name"), blank=True, help_text=_("Required for a place that is not a linked record.")
    )
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    note = LanguageMapField(_("note"), blank=True, textarea=True)
    dwell_minutes = models.PositiveSmallIntegerField(
        _("time spent here (minutes)"),
        null=True,
        blank=True,
        help_text=_("Leave empty for the default of the route's mode."),
    )

    class Meta:
        verbose_name = _("route stop")
        verbose_name_plural = _("route stops")
        # no unique (route, position): the admin saves inline rows one by one, so swapping two
        # positions would collide; ties are ordered by id
        ordering = ["route", "position", "id"]
        indexes = [models.Index(fields=["route", "position"], name="routestop_route_pos")]
        constraints = [
            # at most one linked record
            models.CheckConstraint(
                condition=(
                    Q(asset__isnull=True, service__isnull=True)
                    | Q(asset__isnull=True, place_organisation__isnull=True)
                    | Q(service__isnull=True, place_organisation__isnull=True)
                ),
                name="routestop_one_link",
            ),
            models.CheckConstraint(
                condition=Q(lat__isnull=True) | Q(lat__gte=-90, lat__lte=90),
                name="routestop_lat",
            ),
            models.CheckConstraint(
                condition=Q(lon__isnull=True) | Q(lon__gte=-180, lon__lte=180),
                name="routestop_lon",
            ),
            models.CheckConstraint(
                condition=Q(lat__isnull=True, lon__isnull=True)
                | Q(lat__isnull=False, lon__isnull=False),
                name="routestop_lat_lon_together",
            ),
        ]

    def __str__(self):
        return f"{self.position}. {self.display_name().text or '?'}"

    def clean(self):
        links = [self.asset_id, self.service_id, self.place_organisation_id]
        if sum(1 for link in links if link) > 1:
            raise ValidationError(_("Link a stop to one asset, service or partner place only."))
        if not any(links):
            if not pick(self.name).text:
                raise ValidationError({"name": _("Give the place a name.")})
            if not valid_point(self.lat, self.lon):
                raise ValidationError(_("Give the place a latitude and a longitude."))
        if (self.lat is None) != (self.lon is None):
            raise ValidationError(_("Give both a latitude and a longitude, or neither."))

    # --- what the stop points at (relations are expected to be joined) --------------------

    def display_name(self, lang=None):
        if self.name:
            return pick(self.name, lang)
        for linked, field in (
            (self.asset, "title"),
            (self.service, "name"),
            (self.place_organisation, "name"),
        ):
            if linked is not None:
                return pick(getattr(linked, field), lang)
        return pick({}, lang)

    @property
    def kind(self) -> str:
        if self.asset_id:
            return "asset"
        if self.service_id:
            return "service"
        if self.place_organisation_id:
            return "partner"
        return "place"

    def point(self) -> tuple[float, float] | None:
        """(lat, lon): the stop's own, else its asset's, else its service's place (asset, then
        provider), else the partner organisation's."""
        candidates = [(self.lat, self.lon)]
        if self.asset is not None:
            candidates.append((self.asset.lat, self.asset.lon))
        if self.service is not None:
            if _published(self.service.asset):
                candidates.append((self.service.asset.lat, self.service.asset.lon))
            candidates.append((self.service.organisation.lat, self.service.organisation.lon))
        if self.place_organisation is not None:
            candidates.append((self.place_organisation.lat, self.place_organisation.lon))
        for lat, lon in candidates:
            if valid_point(lat, lon):
                return (lat, lon)
        return None

    def country(self) -> str:
        if self.asset is not None:
            return self.asset.community.country
        if self.service is not None:
            return self.service.organisation.community.country
        if self.place_organisation is not None:
            return self.place_organisation.community.country
        return ""

    def is_public(self) -> bool:
        """Whether the stop may be shown at all: a linked asset or service must be published
        (a draft, withdrawn or deleted record's name and place stay private)."""
        return all(linked is None or _published(linked) for linked in (self.asset, self.service))

    def is_public_link(self) -> bool:
        """Whether the linked record has a public page (published)."""
        linked = self.asset or self.service
        return linked is not None and linked.status == "published"


class HeritagePass(Record):
    """A joint pass: what it gives at each taking-part organisation, and when it is valid."""

    name = LanguageMapField(_("name"))
    description = LanguageMapField(_("description"), blank=True, textarea=True)
    conditions = LanguageMapField(_("conditions"), blank=True, textarea=True)
    organisation = models.ForeignKey(
        "network.Organisation",
        on_delete=models.CASCADE,
        related_name="heritage_passes",
        verbose_name=_("issuing organisation"),
    )
    network = models.ForeignKey(
        "network.Network",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="heritage_passes",
        verbose_name=_("network"),
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("heritage pass")
        verbose_name_plural = _("heritage passes")
        ordering = ["slug"]
        constraints = [
            models.UniqueConstraint(fields=["slug"], name="heritagepass_unique_slug"),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_until__isnull=True)
                | Q(valid_from__lte=models.F("valid_until")),
                name="heritagepass_validity_ordered",
            ),
        ]

    def __str__(self):
        return pick(self.name, "en").text or self.slug

    def is_valid_on(self, day) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_until is None or day <= self.valid_until
        )


class PassBenefit(models.Model):
    class Kind(models.TextChoices):
        FREE_ENTRY = "free-entry", _("Free entry")
        DISCOUNT = "discount", _("Discount")
        STAMP = "stamp", _("Stamp")

    heritage_pass = models.ForeignKey(
        HeritagePass, on_delete=models.CASCADE, related_name="benefits", verbose_name=_("pass")
    )
    organisation = models.ForeignKey(
        "network.Organisation",
        on_delete=models.CASCADE,
        related_name="pass_benefits",
        verbose_name=_("organisation"),
    )
    asset = models.ForeignKey(
        "heritage.Asset",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="pass_benefits",
        verbose_name=_("at (asset)"),
        help_text=_("Where the benefit is given, if it is one place of the organisation."),
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    discount_percent = models.PositiveSmallIntegerField(_("discount (%)"), null=True, blank=True)
    description = LanguageMapField(_("description"), blank=True, textarea=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("pass benefit")
        verbose_name_plural = _("pass benefits")
        ordering = ["heritage_pass", "position", "id"]
        constraints = [
            # a discount has a percentage in 1..100; other kinds have none
            models.CheckConstraint(
                condition=(
                    Q(kind="discount", discount_percent__gte=1, discount_percent__lte=100)
                    | (~Q(kind="discount") & Q(discount_percent__isnull=True))
                ),
                name="passbenefit_discount_percent",
            ),
        ]
        indexes = [
            # organisation page / admin: the benefits an organisation gives
            models.Index(fields=["organisation"], name="passbenefit_org"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} – {self.organisation}"

    def clean(self):
        if self.kind == self.Kind.DISCOUNT and not self.discount_percent:
            raise ValidationError({"discount_percent": _("Give the discount as a percentage.")})
        if self.kind != self.Kind.DISCOUNT and self.discount_percent is not None:
            raise ValidationError(
                {"discount_percent": _("Only a discount has a percentage; leave it empty.")}
            )
        if self.discount_percent is not None and not 1 <= self.discount_percent <= 100:
            raise ValidationError({"discount_percent": _("Between 1 and 100.")})
        if self.asset_id and self.asset.organisation_id != self.organisation_id:
            raise ValidationError(
                {"asset": _("The place must be one of the organisation's own assets.")}
            )

    def point(self) -> tuple[float, float] | None:
        # an unpublished asset's place stays private: the organisation's is shown instead
        for obj in (self.asset if _published(self.asset) else None, self.organisation):
            if obj is not None and valid_point(obj.lat, obj.lon):
                return (obj.lat, obj.lon)
        return None
