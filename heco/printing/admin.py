from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from heco.core.admin import LabelledTabularInline, MalformedInputAdminMixin
from heco.printing.models import ShortLink, ShortLinkScanDay

# the print kind behind each medium a short link is printed on
MEDIUM_KINDS = {
    "poster": "poster",
    "leaflet": "leaflet",
    "panel": "panel",
    "label": "labels",
    "programme": "programme",
}


class ScanDayInline(LabelledTabularInline):
    model = ShortLinkScanDay
    extra = 0
    can_delete = False
    readonly_fields = ["day", "count"]
    ordering = ["-day"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ShortLink)
class ShortLinkAdmin(MalformedInputAdminMixin, admin.ModelAdmin):
    list_display = [
        "code", "target_type", "target_id", "medium", "scan_count", "created_at", "pdf_link",
    ]  # fmt: skip
    list_filter = ["target_type", "medium"]
    search_fields = ["code", "target_id"]
    readonly_fields = ["code", "target_type", "target_id", "medium", "scan_count", "created_at"]
    inlines = [ScanDayInline]

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("PDF"))
    def pdf_link(self, obj):
        """Print the document that carries this code again (same code, current content)."""
        kind = MEDIUM_KINDS.get(obj.medium)
        if kind is None:
            return ""
        url = reverse("printing:download", kwargs={"kind": kind, "ident": obj.target_id})
        return format_html('<a href="{}">{}</a>', url, _("Download PDF"))
