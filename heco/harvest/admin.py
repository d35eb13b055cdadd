from django.contrib import admin, messages
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.timesince import timeuntil
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
    list_display = (
        "__str__",
        "kind",
        "organisation",
        "aggregator",
        "last_success_at",
        "harvest_every",
        "next_harvest",
        "active",
    )
    list_filter = ("kind", "active", "harvest_every")
    search_fields = ("name", "url")
    raw_id_fields = ("organisation",)
    readonly_fields = ("next_harvest", "last_success_at", "checkpoint", "created_at")
    inlines = [HarvestRunInline]
    actions = ["harvest_now"]

    def get_queryset(self, request):
        return super().get_queryset(request).with_last_started_at()

    @admin.display(description=_("next harvest"))
    def next_harvest(self, source):
        if source.pk is None:
            return "-"
        due = source.next_harvest_at()
        if due is None:
            return _("Not harvested on schedule")
        now = timezone.now()
        if due <= now:
            return _("Due now")
        return _("%(date)s (in %(delay)s)") % {
            "date": date_format(timezone.localtime(due), "DATETIME_FORMAT"),
            "delay": timeuntil(due, now, depth=1),
        }

    @admin.action(description=_("Harvest now (incremental)"))
    def harvest_now(self, request, queryset):
        """Queue the runs for the worker (a harvest may take hours: never inside a request).
        ``make run`` starts a worker beside the development server."""
        from heco.harvest.schedule import Enqueued, harvest_enqueue

        for source in queryset:
            outcome = harvest_enqueue(source=source)
            if outcome == Enqueued.QUEUED:
                self.message_user(
                    request,
                    _(
                        "%(source)s: incremental harvest queued. The background worker "
                        "(heco worker) runs it; its report appears under the source's runs."
                    )
                    % {"source": source},
                    messages.SUCCESS,
                )
            elif outcome == Enqueued.ALREADY_QUEUED:
                self.message_user(
                    request,
                    _(
                        "%(source)s: not queued again, a harvest of this source is already "
                        "waiting for the worker."
                    )
                    % {"source": source},
                    messages.WARNING,
                )
            else:
                self.message_user(
                    request,
                    _("%(source)s: not started, another run of this source is under way.")
                    % {"source": source},
                    messages.WARNING,
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
