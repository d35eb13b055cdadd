"""Back office for newsletters, scoped: a list belongs to an organisation (its editors see it)
or to a network (its coordinators see it). Subscribers and the send log are personal data:
read-only here, except the status (a person may ask to be removed). The subscriber actions
export a person's data as JSON and erase it (see ``privacy.py``)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import JsonResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from heco.core.admin import (
    LabelledTabularInline,
    LanguageMapAdminMixin,
    MalformedInputAdminMixin,
    get_scope,
)
from heco.network.models import Network
from heco.newsletters import privacy
from heco.newsletters.models import Edition, SendLog, Subscriber, SubscriberList


class ListScopedAdminMixin(MalformedInputAdminMixin):
    """``list_prefix`` is the lookup from the model to its SubscriberList ("" for the list)."""

    list_prefix = ""

    def _lookup(self, name):
        return f"{self.list_prefix}{name}"

    def _list_of(self, obj):
        if obj is None or not self.list_prefix:
            return obj
        for part in self.list_prefix.rstrip("_").split("__"):
            obj = getattr(obj, part)
        return obj

    def _scope_filter(self, queryset, org_ids, network_ids):
        if org_ids is None:
            return queryset
        return queryset.filter(
            Q(**{self._lookup("organisation__in"): org_ids})
            | Q(**{self._lookup("network__in"): network_ids or set()})
        )

    def get_queryset(self, request):
        scope = get_scope(request)
        return self._scope_filter(super().get_queryset(request), scope.visible_ids,
                                  scope.network_ids)  # fmt: skip

    def _allowed(self, request, obj, edit: bool) -> bool:
        scope = get_scope(request)
        if obj is None:
            return scope.edits_any if edit else scope.sees_any
        lst = self._list_of(obj)
        if lst.network_id:
            return scope.coordinates(lst.network_id)
        return scope.can_edit(lst.organisation_id) if edit else scope.can_view(lst.organisation_id)

    def has_module_permission(self, request):
        return get_scope(request).sees_any

    def has_view_permission(self, request, obj=None):
        return self._allowed(request, obj, edit=False)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request, obj, edit=True)

    def has_add_permission(self, request):
        return get_scope(request).edits_any

    def has_delete_permission(self, request, obj=None):
        return self._allowed(request, obj, edit=True)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        scope = get_scope(request)
        if db_field.name == "organisation":
            kwargs["queryset"] = scope.editable_organisations()
        elif db_field.name == "network":
            kwargs["queryset"] = scope.limit(Network.objects.all(), "pk", scope.network_ids)
        elif db_field.name == "list":
            kwargs["queryset"] = self._scope_filter_lists(scope)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @staticmethod
    def _scope_filter_lists(scope):
        if scope.editable_ids is None:
            return SubscriberList.objects.all()
        return SubscriberList.objects.filter(
            Q(organisation__in=scope.editable_ids) | Q(network__in=scope.network_ids or set())
        )

    def save_model(self, request, obj, form, change):
        if not self._allowed(request, obj, edit=True):
            raise PermissionDenied(_("You may not save records for this list."))
        super().save_model(request, obj, form, change)


@admin.register(SubscriberList)
class SubscriberListAdmin(ListScopedAdminMixin, LanguageMapAdminMixin, admin.ModelAdmin):
    list_display = ("__str__", "slug", "organisation", "network", "default_language", "active")
    list_filter = ("active", "default_language")
    search_fields = ("slug",)
    prepopulated_fields = {}


@admin.register(Subscriber)
class SubscriberAdmin(ListScopedAdminMixin, admin.ModelAdmin):
    list_prefix = "list__"
    list_display = ("email", "list", "language", "status", "consent_at", "confirmed_at")
    list_filter = ("status", "language")
    search_fields = ("email",)
    list_select_related = ("list",)
    readonly_fields = ("id", "list", "email", "language", "consent_purpose",
                       "consent_wording_version", "consent_text", "consent_at", "confirmed_at",
                       "unsubscribed_at", "created_at")  # fmt: skip

    actions = ["export_data", "erase_data"]

    def has_add_permission(self, request):
        return False  # people subscribe themselves (double opt-in)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # erasure also anonymises the send log
        return actions

    @staticmethod
    def _selected(request, queryset) -> list:
        """The chosen subscribers; refused when any of them is outside the user's lists (the
        queryset is already scoped, so those would silently drop out)."""
        subscribers = list(queryset.select_related("list"))
        chosen = set(request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME))
        if chosen - {str(s.pk) for s in subscribers}:
            raise PermissionDenied(_("You may not handle the data of another organisation’s list."))
        return subscribers

    @admin.action(description=_("Export personal data (JSON)"))
    def export_data(self, request, queryset):
        data = privacy.staff_export(
            user=request.user, subscribers=self._selected(request, queryset)
        )
        response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
        response["Content-Disposition"] = 'attachment; filename="subscriber-data.json"'
        response["Cache-Control"] = "private, no-store"
        return response

    @admin.action(description=_("Erase personal data…"))
    def erase_data(self, request, queryset):
        subscribers = self._selected(request, queryset)
        if request.POST.get("confirm") != "yes":
            context = {
                **self.admin_site.each_context(request),
                "title": _("Erase personal data"),
                "subscribers": subscribers,
                "opts": self.model._meta,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            }
            return TemplateResponse(request, "admin/newsletters/erase_confirm.html", context)
        done = privacy.staff_erase(user=request.user, subscribers=subscribers)
        self.message_user(
            request,
            ngettext("%(count)d subscription erased.", "%(count)d subscriptions erased.",
                     done["subscriptions"]) % {"count": done["subscriptions"]},
            messages.SUCCESS,
        )  # fmt: skip
        return None


class SendLogInline(LabelledTabularInline):
    model = SendLog
    extra = 0
    fields = ("email", "language", "status", "error", "attempts", "updated_at")
    readonly_fields = fields
    can_delete = False
    max_num = 0

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Edition)
class EditionAdmin(ListScopedAdminMixin, LanguageMapAdminMixin, admin.ModelAdmin):
    list_prefix = "list__"
    list_display = ("__str__", "list", "month", "status", "sent_at")
    list_filter = ("status",)
    list_select_related = ("list",)
    # a plain multiple select: the admin's filter_horizontal widget fails axe (aria-label on
    # a span without a role)
    readonly_fields = ("status", "sent_at")
    actions = ["send_now"]
    inlines = [SendLogInline]

    @admin.action(description=_("Send to the list's confirmed subscribers"))
    def send_now(self, request, queryset):
        from heco.newsletters.tasks import send_edition

        count = 0
        for edition in queryset:
            if self._allowed(request, edition, edit=True):
                send_edition.enqueue(str(edition.pk))
                count += 1
        self.message_user(
            request,
            ngettext("%(count)d edition queued for sending.",
                     "%(count)d editions queued for sending.", count) % {"count": count},
            messages.SUCCESS,
        )  # fmt: skip
