from django.contrib import admin

from heco.printing.models import ShortLink, ShortLinkScanDay


class ScanDayInline(admin.TabularInline):
    model = ShortLinkScanDay
    extra = 0
    can_delete = False
    readonly_fields = ["day", "count"]
    ordering = ["-day"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ShortLink)
class ShortLinkAdmin(admin.ModelAdmin):
    list_display = ["code", "target_type", "target_id", "medium", "scan_count", "created_at"]
    list_filter = ["target_type", "medium"]
    search_fields = ["code", "target_id"]
    readonly_fields = ["code", "target_type", "target_id", "medium", "scan_count", "created_at"]
    inlines = [ScanDayInline]

    def has_add_permission(self, request):
        return False
