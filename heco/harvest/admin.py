from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from heco.core.admin import LabelledTabularInline, MalformedInputAdminMixin
from heco.harvest.models import DuplicateCandidate, HarvestRun, Source, SourceRecord


class HarvestRunInline(LabelledTabularInline):
    model = HarvestRun
    extra = 0
    can_delete = False
    fields = ("started_at", "status", "fetched", "created", "updated", "deleted", "failed")
    readonly_fields = fields
    ordering = ("-started_at",)
    show_change_link = True


@admin.register(Source)
class SourceAdmin(MalformedInputAdminMixin, admin.ModelAdmin):
    list_display = ("__str__", "kind", "organisation", "aggregator", "last_success_at", "active")
    list_filter = ("kind", "active")
    search_fields = ("name", "url")
    raw_id_fields = ("organisation",)
    readonly_fields = ("last_success_at", "checkpoint", "created_at")
    inlines = [HarvestRunInline]
    actions = ["harvest_now"]

    @admin.action(description=_("Harvest now (incremental)"))
    def harvest_now(self, request, queryset):
        from heco.harvest.services import HarvestBusy, source_harvest

        for source in queryset:
            try:
                run = source_harvest(source=source)
            except HarvestBusy:
                self.message_user(
                    request,
                    _("%(source)s: not started, another run of this source is under way.")
                    % {"source": source},
                    messages.WARNING,
                )
                continue
            self.message_user(
                request,
                _("%(source)s: %(status)s, %(fetched)s fetched, %(failed)s failed")
                % {
                    "source": source,
                    "status": run.get_status_display(),
                    "fetched": run.fetched,
                    "failed": run.failed,
                },
                messages.SUCCESS if run.status == HarvestRun.Status.COMPLETED else messages.WARNING,
            )


@admin.register(HarvestRun)
class HarvestRunAdmin(MalformedInputAdminMixin, admin.ModelAdmin):
    list_display = (
        "source",
        "started_at",
        "status",
        "fetched",
        "created",
        "updated",
        "deleted",
        "failed",
        "conflicts",
        "duration",
    )
    list_filter = ("status",)
    list_select_related = ("source",)
    readonly_fields = [f.name for f in HarvestRun._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(SourceRecord)
class SourceRecordAdmin(MalformedInputAdminMixin, admin.ModelAdmin):
    list_display = (
        "identifier",
        "source",
        "asset",
        "event",
        "deleted",
        "needs_review",
        "fetched_at",
    )
    list_filter = ("needs_review", "deleted", "source")
    list_select_related = ("source", "asset", "event")
    search_fields = ("identifier",)
    raw_id_fields = ("asset", "event", "source")
    readonly_fields = ("raw", "harvested", "content_hash", "conflicts", "fetched_at", "datestamp")


@admin.register(DuplicateCandidate)
class DuplicateCandidateAdmin(MalformedInputAdminMixin, admin.ModelAdmin):
    list_display = ("asset", "other", "reason", "distance_m", "status", "created_at")
    list_filter = ("status",)
    list_select_related = ("asset", "other")
    raw_id_fields = ("asset", "other", "source")
    actions = ["confirm", "reject"]

    @admin.action(description=_("Confirm: merge the proposed asset into the other"))
    def confirm(self, request, queryset):
        from heco.harvest.dedupe import duplicate_confirm

        for candidate in queryset.filter(status=DuplicateCandidate.Status.PROPOSED):
            duplicate_confirm(candidate=candidate)

    @admin.action(description=_("Reject: they are different assets"))
    def reject(self, request, queryset):
        queryset.filter(status=DuplicateCandidate.Status.PROPOSED).update(
            status=DuplicateCandidate.Status.REJECTED, decided_at=timezone.now()
        )
