"""Back office for communities, organisations, networks and memberships.

Organisations follow the shared organisation scoping; communities and networks are edited by
superusers and network coordinators (their own networks only) and read-only for other members;
memberships are managed by organisation admins (their organisation) and coordinators (the
organisations and the network they coordinate).
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from heco.core.admin import (
    AutoSlugFormMixin,
    HistoryAdmin,
    LanguageMapAdminMixin,
    MissingLanguageListFilter,
    MissingLanguagesAdminMixin,
    OrganisationScopedAdminMixin,
    get_scope,
)
from heco.network.models import Community, Membership, Network, Organisation, Role


class NameSlugForm(AutoSlugFormMixin, forms.ModelForm):
    slug_source = "name"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, limit in (("lat", 90), ("lon", 180)):  # field messages; the database checks too
            if name in self.fields:
                self.fields[name].validators += [
                    MinValueValidator(-limit),
                    MaxValueValidator(limit),
                ]


class NamedAdmin(MissingLanguagesAdminMixin, LanguageMapAdminMixin, HistoryAdmin):
    langmap_list_field = "name"
    form = NameSlugForm
    search_fields = ("slug", "name")
    list_per_page = 50
    show_full_result_count = False

    @admin.display(description=_("Name"), ordering="slug")
    def display_name(self, obj):
        return self.display_title(obj)


@admin.register(Community)
class CommunityAdmin(NamedAdmin):
    list_display = ("display_name", "kind", "country", "parent", "missing_languages_display")
    list_filter = ("kind", "country", MissingLanguageListFilter)
    list_select_related = ("parent",)
    autocomplete_fields = ("parent",)
    readonly_fields = ("is_demo",)

    def coordinated_community_ids(self, request):
        scope = get_scope(request)
        if scope.network_ids is None:
            return None
        cached = getattr(request, "_heco_coordinated_communities", None)
        if cached is None:
            cached = set(
                Organisation.objects.filter(networks__in=scope.network_ids).values_list(
                    "community_id", flat=True
                )
            )
            request._heco_coordinated_communities = cached
        return cached

    def has_module_permission(self, request):
        return get_scope(request).sees_any

    def has_view_permission(self, request, obj=None):
        return get_scope(request).sees_any

    def has_add_permission(self, request):
        return get_scope(request).coordinates_any

    def has_change_permission(self, request, obj=None):
        scope = get_scope(request)
        if not scope.coordinates_any:
            return False
        ids = self.coordinated_community_ids(request)
        return obj is None or ids is None or obj.pk in ids

    def has_delete_permission(self, request, obj=None):
        return get_scope(request).is_superuser


class OrganisationForm(NameSlugForm):
    pass


@admin.register(Organisation)
class OrganisationAdmin(OrganisationScopedAdminMixin, NamedAdmin):
    organisation_field = "pk"
    scoped_organisation_fields = ()
    form = OrganisationForm
    list_display = ("display_name", "kind", "community", "isil", "missing_languages_display")
    list_filter = ("kind", MissingLanguageListFilter)
    list_select_related = ("community",)
    autocomplete_fields = ("community",)
    readonly_fields = ("id", "is_demo")
    fieldsets = (
        (None, {"fields": ("name", "slug", "kind", "community", "description")}),
        (_("Contact"), {"fields": ("address", "lat", "lon", "website", "email", "phone", "isil")}),
        (_("Record"), {"fields": ("id", "is_demo"), "classes": ("collapse",)}),
    )

    def has_add_permission(self, request):
        return get_scope(request).coordinates_any

    def has_delete_permission(self, request, obj=None):
        return get_scope(request).is_superuser

    def save_model(self, request, obj, form, change):
        scope = get_scope(request)
        if change:
            self.check_organisation(request, obj)
        elif not scope.coordinates_any:
            raise PermissionDenied
        obj._history_user = request.user
        obj.save()
        if not change and scope.network_ids:
            # a coordinator's new organisation joins the networks they coordinate
            for network in Network.objects.filter(pk__in=scope.network_ids):
                network.organisations.add(obj)
            scope.refresh()


@admin.register(Network)
class NetworkAdmin(NamedAdmin):
    list_display = ("display_name", "default_language", "website", "missing_languages_display")
    list_filter = (MissingLanguageListFilter,)
    filter_horizontal = ("organisations",)
    readonly_fields = ("is_demo",)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        scope = get_scope(request)
        if scope.visible_ids is None:
            return queryset
        return queryset.filter(
            Q(organisations__in=scope.visible_ids) | Q(pk__in=scope.network_ids)
        ).distinct()

    def has_module_permission(self, request):
        return get_scope(request).sees_any

    def has_view_permission(self, request, obj=None):
        if obj is None:
            return get_scope(request).sees_any
        # the history view finds another network's record without the scoped queryset
        return self.get_queryset(request).filter(pk=obj.pk).exists()

    def has_add_permission(self, request):
        return get_scope(request).is_superuser

    def has_change_permission(self, request, obj=None):
        scope = get_scope(request)
        return scope.coordinates_any if obj is None else scope.coordinates(obj.pk)

    def has_delete_permission(self, request, obj=None):
        return get_scope(request).is_superuser

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "organisations":
            # a coordinator can only add organisations already in their care, so they cannot
            # widen their own scope by adding someone else's organisation to their network
            kwargs["queryset"] = get_scope(request).editable_organisations()
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if not get_scope(request).coordinates(obj.pk):
            raise PermissionDenied
        super().save_model(request, obj, form, change)


class MembershipForm(forms.ModelForm):
    def __init__(self, *args, scope=None, **kwargs):
        super().__init__(*args, **kwargs)
        if scope is not None and not scope.coordinates_any and "role" in self.fields:
            self.fields["role"].choices = [
                c for c in self.fields["role"].choices if c[0] != Role.COORDINATOR
            ]


@admin.register(Membership)
class MembershipAdmin(HistoryAdmin):
    form = MembershipForm
    list_display = ("user", "role", "organisation", "network", "created_at")
    list_filter = ("role",)
    list_select_related = ("user", "organisation", "network")
    search_fields = ("user__username", "user__email", "organisation__slug", "network__slug")
    list_per_page = 50
    show_full_result_count = False

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        scope = get_scope(request)
        if scope.manager_ids is None:
            return queryset
        return queryset.filter(
            Q(organisation__in=scope.manager_ids) | Q(network__in=scope.network_ids)
        )

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        scope = get_scope(request)

        class ScopedMembershipForm(form):
            def __init__(self, *args, **kw):
                super().__init__(*args, scope=scope, **kw)

        return ScopedMembershipForm

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        scope = get_scope(request)
        if db_field.name == "organisation":
            kwargs["queryset"] = scope.limit(Organisation.objects.all(), "pk", scope.manager_ids)
        elif db_field.name == "network":
            kwargs["queryset"] = scope.limit(Network.objects.all(), "pk", scope.network_ids)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def _allowed(self, request, obj):
        scope = get_scope(request)
        if obj.organisation_id:
            return scope.can_manage(obj.organisation_id)
        return bool(obj.network_id) and scope.coordinates(obj.network_id)

    def has_module_permission(self, request):
        return get_scope(request).manages_any

    def has_view_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)

    def has_add_permission(self, request):
        return get_scope(request).manages_any

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return get_scope(request).manages_any
        return self._allowed(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if not self._allowed(request, obj):
            raise PermissionDenied
        super().save_model(request, obj, form, change)

    def delete_queryset(self, request, queryset):
        if any(not self._allowed(request, obj) for obj in queryset):
            raise PermissionDenied
        super().delete_queryset(request, queryset)
