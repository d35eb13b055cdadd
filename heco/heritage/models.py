"""Heritage assets, their external identifiers and media."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from heco.core.langmap import LanguageMapField, pick
from heco.core.models import Record, Status, URLField
from heco.core.rights import RIGHTS_STATEMENTS


class Theme(models.TextChoices):
    PUBLIC_SPACE = "public-space", _("Heritage and public space")
    ADULT_EDUCATION = "adult-education", _("Adult education")
    ENTREPRENEURSHIP = "entrepreneurship", _("Cultural entrepreneurship")
    VALORIZATION_ETHICS = "valorization-ethics", _("Valorization and ethics")


class Asset(Record):
    class Kind(models.TextChoices):
        BUILDING = "building", _("Building")
        MONUMENT = "monument", _("Monument")
        ARCHAEOLOGICAL_SITE = "archaeological-site", _("Archaeological site")
        LANDSCAPE = "landscape", _("Landscape or park")
        MOVABLE_OBJECT = "movable-object", _("Movable object")
        COLLECTION = "collection", _("Collection")
        INTANGIBLE = "intangible", _("Intangible practice")
        NATURAL = "natural", _("Natural heritage")
        DOCUMENT = "document", _("Document or archive")

    class Condition(models.TextChoices):
        UNKNOWN = "unknown", _("Unknown")
        GOOD = "good", _("Good")
        FAIR = "fair", _("Fair")
        POOR = "poor", _("Poor")
        AT_RISK = "at-risk", _("At risk")

    # Record's single-column indexes are left out where a composite index below leads with
    # the same column (asset_unique_slug, asset_recent, asset_oai_keyset, asset_org_status,
    # asset_comm_status): every asset write (a harvest writes thousands a second) pays for
    # each b-tree, and the planner gains nothing from the copies
    slug = models.SlugField(max_length=120, allow_unicode=False, db_index=False)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    title = LanguageMapField(_("title"))
    summary = LanguageMapField(_("summary"), blank=True, textarea=True)
    description = LanguageMapField(_("description"), blank=True, textarea=True)
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    organisation = models.ForeignKey(
        "network.Organisation",
        on_delete=models.PROTECT,
        related_name="assets",
        verbose_name=_("managing organisation"),
        db_index=False,  # asset_org_status leads with it
    )
    community = models.ForeignKey(
        "network.Community",
        on_delete=models.PROTECT,
        related_name="assets",
        verbose_name=_("community"),
        db_index=False,  # asset_comm_status leads with it
    )
    address = models.CharField(_("address"), max_length=255, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    geometry = models.JSONField(_("GeoJSON geometry"), null=True, blank=True)
    dating = models.CharField(_("dating (EDTF)"), max_length=64, blank=True)
    start_year = models.IntegerField(_("start year"), null=True, blank=True)
    end_year = models.IntegerField(_("end year"), null=True, blank=True)
    designation = LanguageMapField(_("protection / designation"), blank=True)
    themes = models.JSONField(_("themes"), default=list, blank=True)
    tags = models.JSONField(_("tags"), default=list, blank=True)
    condition = models.CharField(
        _("condition"), max_length=12, choices=Condition.choices, default=Condition.UNKNOWN
    )
    featured = models.BooleanField(_("featured"), default=False)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("heritage asset")
        verbose_name_plural = _("heritage assets")
        ordering = ["slug"]
        constraints = [
            models.UniqueConstraint(fields=["slug"], name="asset_unique_slug"),
            models.CheckConstraint(
                condition=Q(lat__isnull=True) | Q(lat__gte=-90, lat__lte=90), name="asset_lat"
            ),
            models.CheckConstraint(
                condition=Q(lon__isnull=True) | Q(lon__gte=-180, lon__lte=180), name="asset_lon"
            ),
            models.CheckConstraint(
                condition=Q(start_year__isnull=True)
                | Q(end_year__isnull=True)
                | Q(start_year__lte=models.F("end_year")),
                name="asset_years_ordered",
            ),
        ]
        indexes = [
            # public lists: published assets of one organisation / community, newest first
            models.Index(fields=["organisation", "status"], name="asset_org_status"),
            models.Index(fields=["community", "status"], name="asset_comm_status"),
            # home page: the newest featured published assets (and the newest of all when none
            # is featured), read in index order: no sort of every featured asset
            models.Index(
                fields=["featured", "status", "-published_at", "slug"], name="asset_featured"
            ),
            models.Index(fields=["status", "-published_at", "slug"], name="asset_recent"),
            # maps of many places: featured first, then by slug (selectors.map_points)
            models.Index(fields=["status", "-featured", "slug"], name="asset_map"),
            # nearby assets: bounding-box pre-filter
            models.Index(fields=["lat", "lon"], name="asset_latlon"),
            # OAI-PMH ListRecords/ListIdentifiers pages: keyset order (updated_at, id), read as
            # an index range scan from the resumption token's key, never an OFFSET
            models.Index(fields=["updated_at", "id"], name="asset_oai_keyset"),
            # the same, restricted to an org:<slug> set
            models.Index(fields=["organisation", "updated_at", "id"], name="asset_oai_org_keyset"),
        ]

    def __str__(self):
        return pick(self.title, "en").text or self.slug


class ExternalIdentifier(models.Model):
    class Scheme(models.TextChoices):
        WIKIDATA = "wikidata", _("Wikidata QID")
        NL_RIJKSMONUMENT = "nl-rijksmonument", _("Dutch Rijksmonument number")
        SI_ESD = "si-esd", _("Slovenian heritage register (EŠD)")
        IT_CATALOGO = "it-iccd", _("Italian ICCD catalogue code")
        LT_KVR = "lt-kvr", _("Lithuanian Register of Cultural Property (KVR)")
        MT_NICPMI = "mt-nicpmi", _("Maltese NICPMI number")
        ISIL = "isil", _("ISIL")
        OTHER = "other", _("Other")

    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="identifiers")
    scheme = models.CharField(_("scheme"), max_length=24, choices=Scheme.choices)
    value = models.CharField(_("value"), max_length=120)

    class Meta:
        verbose_name = _("external identifier")
        verbose_name_plural = _("external identifiers")
        constraints = [
            models.UniqueConstraint(fields=["scheme", "value"], name="extid_unique_scheme_value"),
        ]

    def __str__(self):
        return f"{self.scheme}:{self.value}"

    @property
    def url(self) -> str:
        if self.scheme == self.Scheme.WIKIDATA:
            return f"https://www.wikidata.org/wiki/{self.value}"
        return ""


def media_upload_to(instance, filename):
    return f"assets/{instance.asset_id}/{filename}"


class Media(models.Model):
    class Kind(models.TextChoices):
        IMAGE = "image", _("Image")
        DOCUMENT = "document", _("Document")
        AUDIO = "audio", _("Audio")
        VIDEO_LINK = "video-link", _("Video link")

    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="media")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.IMAGE)
    file = models.FileField(_("file"), upload_to=media_upload_to, blank=True, max_length=255)
    url = URLField(
        _("link"),
        max_length=2000,
        blank=True,
        help_text=_("For video links."),
    )
    rights = models.CharField(_("rights statement"), max_length=80, choices=RIGHTS_STATEMENTS)
    credit = models.CharField(_("credit line"), max_length=255, blank=True)
    alt_text = LanguageMapField(_("alternative text"), blank=True)
    caption = LanguageMapField(_("caption"), blank=True)
    width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    renditions = models.JSONField(default=dict, blank=True, editable=False)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(excluded_fields=["renditions"])

    class Meta:
        verbose_name = _("media item")
        verbose_name_plural = _("media")
        ordering = ["asset", "position", "created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="video-link") | ~Q(url=""), name="media_video_has_url"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} – {self.asset}"

    def rendition_url(self, size: str = "800") -> str:
        from django.core.files.storage import default_storage

        path = self.renditions.get(size)
        if path:
            return default_storage.url(path)
        return self.file.url if self.file else self.url
