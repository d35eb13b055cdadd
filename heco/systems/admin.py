"""Back office for routes and heritage passes, scoped to the user's organisations with the
shared mixins of ``heco.core.admin`` (owner organisation on the record; stops and benefits
follow their parent)."""

from django.contrib import admin
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from heco.core.admin import (
    LabelledTabularInline,
    MissingLanguageListFilter,
    RecordAdminForm,
    ScopedInlineMixin,
    ScopedRecordAdmin,
    get_scope,
)
from heco.core.models import Status
from heco.heritage.models import Asset
from heco.programme.models import Service
from heco.systems.models import HeritagePass, PassBenefit, Route, RouteStop

RECORD_FIELDSET = (
    _("Record"),
    {
        "fields": ("id", "created_at", "updated_at", "deleted_at", "is_demo"),
        "classes": ("collapse",),
    },
)


def _visible_or_published(model, request):
    """Linkable records: the user's own, or any published one (routes cross organisations)."""
    scope = get_scope(request)
    qs = model.objects.live()
    if scope.visible_ids is not None:
        qs = qs.filter(Q(organisation__in=scope.visible_ids) | Q(status=Status.PUBLISHED))
    return qs


class RouteStopInline(ScopedInlineMixin, admin.StackedInline):
    model = RouteStop
    extra = 0
    ordering = ("position",)
    autocomplete_fields = ("asset", "service", "place_organisation")
    fields = (
        "position",
        ("asset", "service", "place_organisation"),
        "name",
        ("lat", "lon"),
        "note",
        "dwell_minutes",
    )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "asset":
            kwargs["queryset"] = _visible_or_published(Asset, request)
        elif db_field.name == "service":
            kwargs["queryset"] = _visible_or_published(Service, request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Route)
class RouteAdmin(ScopedRecordAdmin):
    form = RecordAdminForm
    inlines = [RouteStopInline]
    list_display = (
        "display_title",
        "mode",
        "organisation",
        "network",
        "status",
        "missing_languages_display",
        "updated_at",
    )
    list_filter = (
        "status",
        "mode",
        MissingLanguageListFilter,
        ("organisation", admin.RelatedOnlyFieldListFilter),
    )
    list_select_related = ("organisation", "network")
    search_fields = ("slug", "title")
    filter_horizontal = ("partners",)
    fieldsets = (
        (None, {"fields": ("title", "slug", "mode", "organisation", "network", "status")}),
        (_("Texts"), {"fields": ("summary", "description")}),
        (_("Partners"), {"fields": ("partners",)}),
        RECORD_FIELDSET,
    )


class PassBenefitInline(ScopedInlineMixin, LabelledTabularInline):
    model = PassBenefit
    extra = 0
    ordering = ("position",)
    autocomplete_fields = ("asset",)
    fields = ("position", "organisation", "asset", "kind", "discount_percent", "description")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # a benefit is promised by the organisation that gives it: only those the user edits
        # (coordinators edit every organisation of their network)
        if db_field.name == "organisation":
            kwargs["queryset"] = get_scope(request).editable_organisations()
        elif db_field.name == "asset":
            kwargs["queryset"] = _visible_or_published(Asset, request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class HeritagePassForm(RecordAdminForm):
    slug_source = "name"


@admin.register(HeritagePass)
class HeritagePassAdmin(ScopedRecordAdmin):
    form = HeritagePassForm
    inlines = [PassBenefitInline]
    langmap_list_field = "name"
    list_display = (
        "display_title",
        "organisation",
        "network",
        "valid_from",
        "valid_until",
        "status",
        "missing_languages_display",
    )
    list_filter = ("status", MissingLanguageListFilter)
    list_select_related = ("organisation", "network")
    search_fields = ("slug", "name")
    fieldsets = (
        (None, {"fields": ("name", "slug", "organisation", "network", "status")}),
        (_("Validity"), {"fields": ("valid_from", "valid_until")}),
        (_("Texts"), {"fields": ("description", "conditions")}),
        RECORD_FIELDSET,
    )
