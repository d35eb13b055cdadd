"""Back office for heritage assets, with their external identifiers and media inline.

Writes go through ``heco.heritage.services`` (asset_create / asset_update / asset_publish /
asset_withdraw / asset_delete, media_add / media_delete) so the admin, the importers and the
API share one set of checks and side effects (search index).
"""

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from heco.core.admin import (
    ChoiceListField,
    CommaSeparatedListField,
    LabelledTabularInline,
    MissingLanguageListFilter,
    RecordAdminForm,
    ScopedInlineMixin,
    ScopedRecordAdmin,
    adopt,
    service_fields,
)
from heco.core.langmap import clean_language_map
from heco.core.models import Status
from heco.heritage import media as media_lib
from heco.heritage import services
from heco.heritage.models import Asset, ExternalIdentifier, Media, Theme


class AssetAdminForm(RecordAdminForm):
    themes = ChoiceListField(choices=Theme.choices, label=_("themes"))
    tags = CommaSeparatedListField(label=_("tags"), help_text=_("Separate tags with commas."))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("dating") and "dating" in self.changed_data:
            try:
                services.parse_dating(cleaned["dating"])
            except ValidationError as exc:
                self.add_error(None, exc)
        if "geometry" in cleaned:  # also "[]" or "0": falsy, but not a geometry
            try:
                services.validate_geometry(cleaned["geometry"])
            except ValidationError as exc:
                self.add_error("geometry", exc)
        if "lat" in self.fields and (cleaned.get("lat") is None) != (cleaned.get("lon") is None):
            self.add_error("lat", _("Give both latitude and longitude, or neither."))
        return cleaned


class ExternalIdentifierInline(ScopedInlineMixin, LabelledTabularInline):
    model = ExternalIdentifier
    fields = ("scheme", "value")
    extra = 1


class _KeepOpen:
    """Hands an upload to a checker without letting it close the file (Pillow closes the file
    an image was read from), so the same upload can still be stored afterwards."""

    def __init__(self, file):
        self._file = file

    def __getattr__(self, name):
        return getattr(self._file, name)

    def close(self):
        self._file.seek(0)


class MediaInlineForm(forms.ModelForm):
    """Uploads are checked by content; images need alt text; rights from the closed list."""

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        file = cleaned.get("file")
        uploaded = file if file and "file" in self.changed_data else None
        if kind == Media.Kind.VIDEO_LINK:
            if not cleaned.get("url"):
                self.add_error("url", _("Give the link to the video."))
            if uploaded is not None:
                self.add_error("file", _("A video link takes a link, not a file."))
        elif kind:
            if not file:
                self.add_error("file", _("Choose a file to upload."))
            else:
                try:
                    media_lib.validate_upload(_KeepOpen(uploaded or self.instance.file), kind)
                except ValidationError as exc:
                    self.add_error("file", exc)
        if kind == Media.Kind.IMAGE and not clean_language_map(cleaned.get("alt_text")):
            self.add_error("alt_text", _("Describe the image in at least one language."))
        return cleaned


class MediaInline(ScopedInlineMixin, admin.StackedInline):
    model = Media
    form = MediaInlineForm
    extra = 0
    fields = (
        "preview",
        "kind",
        "file",
        "url",
        "rights",
        "credit",
        "alt_text",
        "caption",
        "position",
        ("width", "height"),
    )
    readonly_fields = ("preview", "width", "height")

    @admin.display(description=_("preview"))
    def preview(self, obj):
        if obj is None or obj.pk is None or obj.kind != Media.Kind.IMAGE or not obj.file:
            return "—"
        return format_html(
            '<img src="{}" alt="" style="max-width:320px;max-height:240px">',
            obj.rendition_url("320"),
        )


@admin.register(Asset)
class AssetAdmin(ScopedRecordAdmin):
    form = AssetAdminForm
    list_display = (
        "display_title",
        "kind",
        "organisation",
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
    list_select_related = ("organisation",)
    search_fields = ("slug", "title")
    autocomplete_fields = ("community",)
    inlines = (ExternalIdentifierInline, MediaInline)
    fieldsets = (
        (None, {"fields": ("title", "slug", "kind", "organisation", "community", "status")}),
        (_("Description"), {"fields": ("summary", "description", "designation")}),
        (_("Place"), {"fields": ("address", ("lat", "lon"), "geometry")}),
        (_("Time"), {"fields": ("dating", ("start_year", "end_year"))}),
        (_("Classification"), {"fields": ("themes", "tags", "condition", "featured")}),
        (
            _("Record"),
            {
                "fields": (
                    "id",
                    "published_at",
                    "created_at",
                    "updated_at",
                    "deleted_at",
                    "is_demo",
                ),
                "classes": ("collapse",),
            },
        ),
    )

    object_history_template = "admin/heritage/asset/object_history.html"

    def history_view(self, request, object_id, extra_context=None):
        """The edits made here, and which harvest sources sent the asset (harvests write in
        bulk and add nothing to the history)."""
        from heco.harvest.provenance import provenance_for

        asset = self.get_object(request, unquote(object_id))  # None when not the user's
        extra_context = {
            **(extra_context or {}),
            "harvested_from": provenance_for(asset) if asset is not None else [],
        }
        return super().history_view(request, object_id, extra_context)

    def get_readonly_fields(self, request, obj=None):
        fields = [*super().get_readonly_fields(request, obj), "published_at"]
        if obj is not None:
            # after creation the lifecycle moves through the publish / withdraw actions
            fields.append("status")
        return fields

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "status":
            kwargs["choices"] = [
                c for c in Status.choices if c[0] in (Status.DRAFT, Status.REVIEW, Status.PUBLISHED)
            ]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    # writes through the heritage services
    def save_model(self, request, obj, form, change):
        self.check_organisation(request, obj)
        fields = service_fields(form, obj, services.ASSET_FIELDS, change)
        if change:
            services.asset_update(asset=obj, user=request.user, **fields)
        else:
            created = services.asset_create(user=request.user, status=obj.status, **fields)
            adopt(obj, created)

    def save_formset(self, request, form, formset, change):
        asset = form.instance
        if formset.model is Media:
            self._save_media(request, asset, formset)
        else:
            super().save_formset(request, form, formset, change)
            if formset.has_changed():
                services.reindex_assets([asset.pk])

    def _save_media(self, request, asset, formset):
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        deleted = set(formset.deleted_forms) if formset.can_delete else set()
        for media_form in formset.initial_forms:
            if media_form in deleted:
                services.media_delete(media=media_form.instance, user=request.user)
                formset.deleted_objects.append(media_form.instance)
            elif media_form.has_changed():
                media = self._update_media(media_form)
                formset.changed_objects.append((media, media_form.changed_data))
        for media_form in formset.extra_forms:
            if not media_form.has_changed() or media_form in deleted:
                continue
            data = media_form.cleaned_data
            media = services.media_add(
                asset=asset,
                user=request.user,
                file=data.get("file") or None,
                kind=data["kind"],
                rights=data["rights"],
                credit=data.get("credit", ""),
                alt_text=data.get("alt_text") or {},
                caption=data.get("caption") or {},
                url=data.get("url", ""),
                position=data.get("position"),
            )
            formset.new_objects.append(media)

    def _update_media(self, media_form):
        """Change an existing media item (no service function for this yet): a new file is
        checked and stripped like in ``media_add``, and its renditions are made again."""
        old_file = media_form.initial.get("file")
        old_name = old_file.name if old_file else ""
        media = media_form.save(commit=False)
        decoded = None
        new_file = "file" in media_form.changed_data and media_form.cleaned_data.get("file")
        if new_file:
            content, decoded = media_lib.clean_upload(media_form.cleaned_data["file"], media.kind)
            media.file.save(content.name, content, save=False)
        media.save()
        if old_name and old_name != media.file.name:
            media.file.storage.delete(old_name)
        if media.kind == Media.Kind.IMAGE and (
            new_file or "kind" in media_form.changed_data or not media.renditions
        ):
            media_lib.generate_renditions(media, image=decoded)
        services.reindex_assets([media.asset_id])
        return media

    def perform_publish(self, request, obj):
        services.asset_publish(asset=obj, user=request.user)

    def perform_withdraw(self, request, obj):
        services.asset_withdraw(asset=obj, user=request.user)

    def perform_tombstone(self, request, obj):
        services.asset_delete(asset=obj, user=request.user)
