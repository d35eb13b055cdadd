"""Back office for communication, scoped by organisation (heco.core.admin mixins).

The workflow (submit, approve, schedule) lives in the staff workspace (/staff/comms/) and the
service functions; here items are plain records with their workflow fields read-only, channel
credentials are write-only, and deliveries are a read-only log.
"""

from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from heco.comms.models import Channel, Delivery, Item
from heco.core.admin import (
    LanguageMapAdminMixin,
    MissingLanguagesAdminMixin,
    OrganisationScopedAdminMixin,
)


@admin.register(Item)
class ItemAdmin(
    MissingLanguagesAdminMixin,
    LanguageMapAdminMixin,
    OrganisationScopedAdminMixin,
    admin.ModelAdmin,
):
    list_display = ("display_title", "kind", "organisation", "status", "scheduled_at",
                    "missing_languages_display")  # fmt: skip
    list_filter = ("status", "kind")
    search_fields = ("slug",)
    autocomplete_fields = ()
    filter_horizontal = ("assets", "events", "images", "channels")
    readonly_fields = ("id", "status", "created_by", "submitted_by", "approved_by",
                       "approved_at", "scheduled_at", "published_at", "created_at", "updated_at",
                       "staff_link")  # fmt: skip

    @admin.display(description=_("Workflow and preview"))
    def staff_link(self, obj):
        if not obj.pk:
            return "—"
        return format_html('<a href="{}">{}</a>', reverse("comms:item", args=[obj.pk]), _("Open"))

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


class ChannelAdminForm(forms.ModelForm):
    """Credentials are typed in, never shown back; leave empty to keep the stored ones."""

    access_token = forms.CharField(
        label=_("Access token (Mastodon)"), required=False, widget=forms.PasswordInput
    )
    identifier = forms.CharField(label=_("Login (Bluesky handle)"), required=False)
    app_password = forms.CharField(
        label=_("App password (Bluesky)"), required=False, widget=forms.PasswordInput
    )

    class Meta:
        model = Channel
        fields = ("organisation", "kind", "name", "base_url", "account", "language", "max_length",
                  "active")  # fmt: skip

    def save(self, commit=True):
        channel = super().save(commit=False)
        data = self.cleaned_data
        if channel.kind == Channel.Kind.MASTODON and data.get("access_token"):
            channel.set_credentials({"access_token": data["access_token"]})
        elif channel.kind == Channel.Kind.BLUESKY and data.get("app_password"):
            channel.set_credentials(
                {"identifier": data.get("identifier") or channel.account,
                 "password": data["app_password"]}
            )  # fmt: skip
        if commit:
            channel.save()
        return channel


@admin.register(Channel)
class ChannelAdmin(OrganisationScopedAdminMixin, admin.ModelAdmin):
    form = ChannelAdminForm
    list_display = ("name", "kind", "organisation", "language", "active", "has_credentials")
    list_filter = ("kind", "active", "language")

    @admin.display(boolean=True, description=_("credentials stored"))
    def has_credentials(self, obj):
        return bool(obj.credentials_encrypted)


@admin.register(Delivery)
class DeliveryAdmin(OrganisationScopedAdminMixin, admin.ModelAdmin):
    organisation_field = "item__organisation"
    scoped_organisation_fields = ()
    list_display = ("item", "channel", "status", "attempts", "post_link", "next_attempt_at")
    list_filter = ("status", "channel__kind")
    list_select_related = ("item", "channel")
    readonly_fields = [f.name for f in Delivery._meta.fields]

    @admin.display(description=_("post"))
    def post_link(self, obj):
        if not obj.remote_url:
            return "—"
        return format_html('<a href="{}" rel="noopener">{}</a>', obj.remote_url, obj.remote_url)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
