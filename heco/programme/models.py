"""Cultural services (with OSM opening hours) and events (with RFC 5545 recurrence)."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from heco.core.langmap import LanguageMapField, pick
from heco.core.models import Record, URLField


class Accessibility(models.TextChoices):
    STEP_FREE = "step-free", _("Step-free access")
    ACCESSIBLE_TOILET = "accessible-toilet", _("Accessible toilet")
    AUDIO_DESCRIPTION = "audio-description", _("Audio description")
    SIGN_LANGUAGE = "sign-language", _("Sign language")
    EASY_READ = "easy-read", _("Easy-read materials")
    INDUCTION_LOOP = "induction-loop", _("Induction loop")
    TACTILE = "tactile", _("Tactile objects or models")
    SEATING = "seating", _("Seating available")


class Service(Record):
    class Kind(models.TextChoices):
        LENDING = "library-lending", _("Library lending")
        READING_ROOM = "reading-room", _("Reading room")
        EXHIBITION = "exhibition", _("Exhibition")
        GUIDED_TOUR = "guided-tour", _("Guided tour")
        COURSE = "course", _("Education course or workshop")
        VENUE = "venue", _("Venue hire")
        DIGITAL = "digital", _("Digital service")
        RESEARCH = "research", _("Research and archive access")
        VISIT = "visit", _("Site visit")

    name = LanguageMapField(_("name"))
    description = LanguageMapField(_("description"), blank=True, textarea=True)
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    organisation = models.ForeignKey(
        "network.Organisation",
        on_delete=models.PROTECT,
        related_name="services",
        verbose_name=_("provider"),
    )
    asset = models.ForeignKey(
        "heritage.Asset",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="services",
        verbose_name=_("takes place at"),
    )
    opening_hours = models.CharField(
        _("opening hours"),
        max_length=255,
        blank=True,
        help_text=_("OpenStreetMap opening_hours syntax, e.g. “Tu-Fr 10:00-18:00; Sa 10:00-14:00”"),
    )
    prices = LanguageMapField(_("prices"), blank=True)
    booking_contact = models.CharField(_("booking contact"), max_length=255, blank=True)
    booking_url = URLField(_("booking link"), blank=True)
    languages = models.JSONField(_("languages offered"), default=list, blank=True)
    accessibility = models.JSONField(_("accessibility"), default=list, blank=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("cultural service")
        verbose_name_plural = _("cultural services")
        ordering = ["slug"]
        constraints = [models.UniqueConstraint(fields=["slug"], name="service_unique_slug")]
        indexes = [
            # service directory and asset page: published services by organisation / asset
            models.Index(fields=["organisation", "status"], name="service_org_status"),
            models.Index(fields=["asset", "status"], name="service_asset_status"),
        ]

    def __str__(self):
        return pick(self.name, "en").text or self.slug


class Event(Record):
    class Audience(models.TextChoices):
        ADULTS = "adults", _("Adults")
        CHILDREN = "children", _("Children")
        FAMILIES = "families", _("Families")
        SCHOOLS = "schools", _("Schools")

    title = LanguageMapField(_("title"))
    description = LanguageMapField(_("description"), blank=True, textarea=True)
    start = models.DateTimeField(_("starts"), db_index=True)
    end = models.DateTimeField(_("ends"), null=True, blank=True)
    timezone = models.CharField(_("time zone"), max_length=64, default="Europe/Vilnius")
    # Whole days without times (a festival, an exhibition): start is 00:00 of the first day
    # and end 00:00 of the day after the last one (exclusive, as iCalendar's DTEND;VALUE=DATE),
    # both in ``timezone``; see heco.programme.dates
    all_day = models.BooleanField(
        _("all day"),
        default=False,
        help_text=_("Whole days without times, e.g. a festival or an exhibition."),
    )
    rrule = models.CharField(
        _("recurrence (RRULE)"),
        max_length=255,
        blank=True,
        help_text=_("RFC 5545 rule, e.g. FREQ=WEEKLY;BYDAY=SA;COUNT=8"),
    )
    # Occurrences of the rule that do not take place (iCalendar EXDATE, or moved: an override
    # of one occurrence is its own event): local wall-clock starts, "YYYY-MM-DDTHH:MM:SS"
    exdates = models.JSONField(
        _("cancelled or moved occurrences"),
        default=list,
        blank=True,
        editable=False,
        help_text=_("Starts (local time) of occurrences of the rule that do not take place."),
    )
    # End of the final occurrence (its start when there is no end), derived from start/rrule
    # by the services; null = unbounded. Lets list queries skip events that are over.
    last_occurrence = models.DateTimeField(null=True, blank=True, editable=False)
    organisation = models.ForeignKey(
        "network.Organisation",
        on_delete=models.PROTECT,
        related_name="events",
        verbose_name=_("organiser"),
    )
    asset = models.ForeignKey(
        "heritage.Asset",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("place (asset)"),
    )
    venue = models.ForeignKey(
        "network.Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="hosted_events",
        verbose_name=_("place (organisation)"),
    )
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    registration_url = URLField(_("registration link"), blank=True)
    accessibility = models.JSONField(_("accessibility"), default=list, blank=True)
    audience = models.JSONField(_("audience"), default=list, blank=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["start"]
        constraints = [
            models.UniqueConstraint(fields=["slug"], name="event_unique_slug"),
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")),
                name="event_end_after_start",
            ),
            models.CheckConstraint(
                condition=Q(all_day=False) | Q(end__isnull=False),
                name="event_all_day_has_end",
            ),
        ]
        indexes = [
            # upcoming events: published, ordered by start
            models.Index(fields=["status", "start"], name="event_status_start"),
            models.Index(fields=["organisation", "status", "start"], name="event_org_start"),
            models.Index(fields=["asset", "status", "start"], name="event_asset_start"),
        ]

    def __str__(self):
        return pick(self.title, "en").text or self.slug
