"""Back office for cultural services and events, through ``heco.programme.services``."""

import datetime as dt

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AdminSplitDateTime
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from heco.core.admin import (
    ChoiceListField,
    CommaSeparatedListField,
    MissingLanguageListFilter,
    RecordAdminForm,
    ScopedRecordAdmin,
    adopt,
    get_scope,
    service_fields,
)
from heco.core.langmap import normalise_language_tag
from heco.core.models import Status
from heco.heritage.models import Asset
from heco.programme import dates, recurrence, services
from heco.programme.hours import validate_opening_hours
from heco.programme.models import Accessibility, Event, Service


class ServiceAdminForm(RecordAdminForm):
    slug_source = "name"
    languages = CommaSeparatedListField(
        label=_("languages offered"),
        normalise=normalise_language_tag,
        help_text=_("Language tags separated by commas, e.g. “lt, en”."),
    )
    accessibility = ChoiceListField(choices=Accessibility.choices, label=_("accessibility"))

    def clean_opening_hours(self):
        value = (self.cleaned_data.get("opening_hours") or "").strip()
        validate_opening_hours(value)
        return value


class DateOptionalTimeField(forms.SplitDateTimeField):
    """The admin's date and time inputs, where the time may be left empty (00:00): an
    all-day event needs only its days. ``EventAdminForm.clean`` asks for the time otherwise."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", AdminSplitDateTime)
        super().__init__(require_all_fields=False, **kwargs)
        self.fields[1].required = False

    def compress(self, data_list):
        if data_list and data_list[0] not in self.empty_values:
            if data_list[1] in self.empty_values:
                data_list = [data_list[0], dt.time.min]
        return super().compress(data_list)


class EventAdminForm(RecordAdminForm):
    """For an all-day event the staff give the first and the last day (times are ignored);
    the form stores them as ``heco.programme.dates`` says: 00:00 of the first day to 00:00
    after the last one, in the event's time zone."""

    accessibility = ChoiceListField(choices=Accessibility.choices, label=_("accessibility"))
    audience = ChoiceListField(choices=Event.Audience.choices, label=_("audience"))
    start = DateOptionalTimeField(label=Event._meta.get_field("start").verbose_name)
    end = DateOptionalTimeField(
        label=Event._meta.get_field("end").verbose_name,
        required=False,
        help_text=_("For an all-day event, the last day (empty: a one-day event)."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        event = self.instance
        if event.pk and event.all_day and event.start is not None:
            # shown as the days they are in the event's zone, whatever zone the form reads in
            try:
                tz = recurrence.zone(event.timezone)
            except ValueError:
                return
            first, last = dates.days(event.start, event.end, tz)
            here = timezone.get_current_timezone()
            self.initial["start"] = dt.datetime.combine(first, dt.time.min, here)
            self.initial["end"] = dt.datetime.combine(last, dt.time.min, here)

    @cached_property
    def changed_data(self):
        """The days as typed are written again when the box is ticked or the zone changes on
        an all-day event (its midnights move with the zone, its days do not)."""
        changed = super().changed_data
        field, key = self.fields.get("all_day"), self.add_prefix("all_day")
        ticked = (
            field and self.is_bound and field.widget.value_from_datadict(self.data, self.files, key)
        )
        if ticked and {"all_day", "timezone"} & set(changed):
            changed = [*changed, *(name for name in ("start", "end") if name not in changed)]
        return changed

    def _typed_time_missing(self, name: str) -> bool:
        raw = self[name].data  # [date, time] as typed
        return isinstance(raw, list | tuple) and len(raw) == 2 and bool(raw[0]) and not raw[1]

    def clean(self):
        cleaned = super().clean()
        all_day = bool(cleaned.get("all_day"))
        if not all_day:
            for name in ("start", "end"):
                if cleaned.get(name) is not None and self._typed_time_missing(name):
                    self.add_error(name, _("Give the time, or tick “all day”."))
        start, tz = cleaned.get("start"), (cleaned.get("timezone") or "").strip()
        if not tz:
            return cleaned
        try:
            zone = recurrence.zone(tz)
        except ValueError:
            self.add_error(
                "timezone",
                ValidationError(
                    _("“%(value)s” is not a known time zone (e.g. Europe/Vilnius)."),
                    params={"value": tz},
                ),
            )
            return cleaned
        if all_day and start is not None:
            # the days as typed (the form reads them in the current zone), in the event's zone
            first = timezone.localtime(start).date()
            end = cleaned.get("end")
            last = timezone.localtime(end).date() if end is not None else first
            if last < first:
                self.add_error("end", _("The last day must not be before the first day."))
                return cleaned
            start = cleaned["start"] = dates.midnight(first, zone)
            cleaned["end"] = dates.midnight(last + dates.ONE_DAY, zone)
        rule = recurrence.normalise_rule(cleaned.get("rrule"))
        if start is not None and rule:
            probe = Event(
                start=start, end=cleaned.get("end"), timezone=tz, rrule=rule, all_day=all_day
            )
            try:
                recurrence.last_occurrence(probe)
            except (ValueError, TypeError) as exc:
                self.add_error(
                    "rrule",
                    ValidationError(
                        _("“%(value)s” is not a recurrence rule we accept: %(reason)s."),
                        params={"value": rule, "reason": str(exc)},
                    ),
                )
        return cleaned


class ProgrammeAdmin(ScopedRecordAdmin):
    """Shared by services and events: create / update / delete through the service functions
    named by ``create_record``, ``update_record``, ``delete_record``."""

    create_record = update_record = delete_record = None
    fields_allowed: frozenset = frozenset()
    instance_kwarg = ""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "asset":
            # the user's own assets, or any published one
            scope = get_scope(request)
            assets = Asset.objects.live()
            if scope.visible_ids is not None:
                assets = assets.filter(
                    Q(organisation__in=scope.visible_ids) | Q(status=Status.PUBLISHED)
                )
            kwargs["queryset"] = assets
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def _update(self, request, obj, **fields):
        type(self).update_record(**{self.instance_kwarg: obj}, user=request.user, **fields)

    def save_model(self, request, obj, form, change):
        self.check_organisation(request, obj)
        fields = service_fields(form, obj, self.fields_allowed, change)
        if change:
            self._update(request, obj, **fields)
        else:
            adopt(obj, type(self).create_record(user=request.user, **fields))

    def perform_publish(self, request, obj):
        self._update(request, obj, status=Status.PUBLISHED)

    def perform_withdraw(self, request, obj):
        self._update(request, obj, status=Status.WITHDRAWN)

    def perform_tombstone(self, request, obj):
        type(self).delete_record(**{self.instance_kwarg: obj}, user=request.user)


@admin.register(Service)
class ServiceAdmin(ProgrammeAdmin):
    create_record = staticmethod(services.service_create)
    update_record = staticmethod(services.service_update)
    delete_record = staticmethod(services.service_delete)
    fields_allowed = services.SERVICE_FIELDS
    instance_kwarg = "service"

    form = ServiceAdminForm
    langmap_list_field = "name"
    list_display = (
        "display_title",
        "kind",
        "organisation",
        "asset",
        "status",
        "missing_languages_display",
        "updated_at",
    )
    list_filter = (
        "status",
        "kind",
        MissingLanguageListFilter,
        ("organisation", admin.RelatedOnlyFieldListFilter),
    )
    list_select_related = ("organisation", "asset")
    search_fields = ("slug", "name")
    autocomplete_fields = ("asset",)
    fieldsets = (
        (None, {"fields": ("name", "slug", "kind", "organisation", "asset", "status")}),
        (_("Details"), {"fields": ("description", "opening_hours", "prices")}),
        (_("Booking"), {"fields": ("booking_contact", "booking_url")}),
        (_("Access"), {"fields": ("languages", "accessibility")}),
        (
            _("Record"),
            {
                "fields": ("id", "created_at", "updated_at", "deleted_at", "is_demo"),
                "classes": ("collapse",),
            },
        ),
    )


@admin.register(Event)
class EventAdmin(ProgrammeAdmin):
    create_record = staticmethod(services.event_create)
    update_record = staticmethod(services.event_update)
    delete_record = staticmethod(services.event_delete)
    fields_allowed = services.EVENT_FIELDS
    instance_kwarg = "event"

    form = EventAdminForm
    list_display = (
        "display_title",
        "start",
        "all_day",
        "organisation",
        "status",
        "missing_languages_display",
        "updated_at",
    )
    list_filter = (
        "status",
        MissingLanguageListFilter,
        ("organisation", admin.RelatedOnlyFieldListFilter),
    )
    list_select_related = ("organisation",)
    search_fields = ("slug", "title")
    autocomplete_fields = ("asset", "venue")
    date_hierarchy = "start"
    fieldsets = (
        (None, {"fields": ("title", "slug", "organisation", "status")}),
        (
            _("When"),
            {
                "fields": (
                    "all_day",
                    "start",
                    "end",
                    "timezone",
                    "rrule",
                    "exdates",
                    "last_occurrence",
                )
            },
        ),
        (_("Where"), {"fields": ("asset", "venue")}),
        (_("Details"), {"fields": ("description", "capacity", "registration_url")}),
        (_("Access"), {"fields": ("audience", "accessibility")}),
        (
            _("Record"),
            {
                "fields": ("id", "created_at", "updated_at", "deleted_at", "is_demo"),
                "classes": ("collapse",),
            },
        ),
    )

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "exdates", "last_occurrence"]
