"""Back office for cultural services and events, through ``heco.programme.services``."""

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Q
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
from heco.programme import recurrence, services
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


class EventAdminForm(RecordAdminForm):
    accessibility = ChoiceListField(choices=Accessibility.choices, label=_("accessibility"))
    audience = ChoiceListField(choices=Event.Audience.choices, label=_("audience"))

    def clean(self):
        cleaned = super().clean()
        start, tz = cleaned.get("start"), (cleaned.get("timezone") or "").strip()
        if not tz:
            return cleaned
        try:
            recurrence.zone(tz)
        except ValueError:
            self.add_error(
                "timezone",
                ValidationError(
                    _("“%(value)s” is not a known time zone (e.g. Europe/Vilnius)."),
                    params={"value": tz},
                ),
            )
            return cleaned
        rule = recurrence.normalise_rule(cleaned.get("rrule"))
        if start is not None and rule:
            probe = Event(start=start, end=cleaned.get("end"), timezone=tz, rrule=rule)
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
            {"fields": ("start", "end", "timezone", "rrule", "exdates", "last_occurrence")},
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
