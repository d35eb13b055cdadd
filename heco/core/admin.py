"""Back-office (Django admin) building blocks shared by every app's ``admin.py``.

Scoped staff are ordinary staff users with memberships, not Django model permissions: what a
user may see and change comes from ``heco.network.selectors`` and is computed once per request
(:class:`AdminScope`). :class:`OrganisationScopedAdminMixin` writes the organisation scoping
once: the changelist, the change form, the organisation choices and the save are all limited to
the organisations the user may act for. :class:`RecordAdminMixin` adds the lifecycle of
``heco.core.models.Record`` (publish / withdraw actions, tombstones instead of deletes).
"""

from __future__ import annotations

import importlib
import importlib.util
from functools import cached_property

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin import widgets as admin_widgets
from django.contrib.admin.utils import model_ngettext, unquote
from django.contrib.auth import admin as auth_admin
from django.contrib.auth.models import Group, User
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.db.models import Q
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Length
from django.http import Http404
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from heco.core.langmap import LanguageMapField, LanguageMapFormField, missing_languages, pick
from heco.core.models import Status
from heco.network.models import Membership, Organisation, Role
from heco.network.selectors import editable_organisation_ids, organisation_ids_for

MANAGER_ROLES = {Role.COORDINATOR, Role.ADMIN}


def optional_module(name: str):
    """Import ``name`` if the module exists (services another part of the code base may not
    have yet); ``None`` otherwise. Errors inside an existing module are not hidden."""
    try:
        if importlib.util.find_spec(name) is None:
            return None
    except ModuleNotFoundError:
        return None
    return importlib.import_module(name)


# --- who may do what -------------------------------------------------------------------------


class AdminScope:
    """What one user may see and change in the back office. Id sets are ``None`` for
    superusers (no limit). Computed lazily and cached on the request."""

    def __init__(self, user):
        self.user = user
        self.is_staff = bool(user.is_authenticated and user.is_active and user.is_staff)
        self.is_superuser = self.is_staff and user.is_superuser

    def refresh(self):
        """Forget the cached id sets (after a write that changes the user's scope)."""
        for name in ("visible_ids", "editable_ids", "manager_ids", "network_ids"):
            self.__dict__.pop(name, None)

    def _ids(self, compute):
        if not self.is_staff:
            return set()
        if self.is_superuser:
            return None
        return compute()

    @cached_property
    def visible_ids(self) -> set | None:
        """Organisations the user holds any role in (coordinators: their networks')."""
        return self._ids(lambda: organisation_ids_for(self.user))

    @cached_property
    def editable_ids(self) -> set | None:
        """Organisations the user edits (coordinator, organisation admin, editor)."""
        return self._ids(lambda: editable_organisation_ids(self.user))

    @cached_property
    def manager_ids(self) -> set | None:
        """Organisations whose memberships the user manages (coordinator, organisation admin)."""
        return self._ids(lambda: organisation_ids_for(self.user, MANAGER_ROLES))

    @cached_property
    def network_ids(self) -> set | None:
        """Networks the user coordinates."""
        return self._ids(
            lambda: set(
                Membership.objects.filter(
                    user=self.user, role=Role.COORDINATOR, network__isnull=False
                ).values_list("network_id", flat=True)
            )
        )

    @staticmethod
    def _allows(ids, value) -> bool:
        return ids is None or value in ids

    @staticmethod
    def _any(ids) -> bool:
        return ids is None or bool(ids)

    def can_view(self, organisation_id) -> bool:
        return self._allows(self.visible_ids, organisation_id)

    def can_edit(self, organisation_id) -> bool:
        return self._allows(self.editable_ids, organisation_id)

    def can_manage(self, organisation_id) -> bool:
        return self._allows(self.manager_ids, organisation_id)

    def coordinates(self, network_id) -> bool:
        return self._allows(self.network_ids, network_id)

    @property
    def sees_any(self) -> bool:
        return self._any(self.visible_ids)

    @property
    def edits_any(self) -> bool:
        return self._any(self.editable_ids)

    @property
    def manages_any(self) -> bool:
        return self._any(self.manager_ids)

    @property
    def coordinates_any(self) -> bool:
        return self._any(self.network_ids)

    def limit(self, queryset, lookup: str, ids):
        return queryset if ids is None else queryset.filter(**{f"{lookup}__in": ids})

    def editable_organisations(self):
        return self.limit(Organisation.objects.all(), "pk", self.editable_ids)


def get_scope(request) -> AdminScope:
    scope = getattr(request, "_heco_admin_scope", None)
    if scope is None or scope.user is not request.user:
        scope = AdminScope(request.user)
        request._heco_admin_scope = scope
    return scope


# --- language maps ---------------------------------------------------------------------------


class AdminLanguageMapFormField(LanguageMapFormField):
    """LanguageMapFormField that can re-render a bound form: the widget's data is already a
    dict, which ``forms.JSONField.bound_data`` would try to ``json.loads``."""

    def bound_data(self, data, initial):
        if self.disabled:
            return initial
        if isinstance(data, dict):
            return data
        return super().bound_data(data, initial)


LANGUAGE_MAP_OVERRIDES = {LanguageMapField: {"form_class": AdminLanguageMapFormField}}


class LanguageMapAdminMixin:
    """Language-map widgets (a row per language, missing ones marked; their CSS is in
    core/admin.css, on every admin page)."""

    formfield_overrides = LANGUAGE_MAP_OVERRIDES


class MissingLanguageListFilter(admin.SimpleListFilter):
    """Records whose main language map (``model_admin.langmap_list_field``) lacks a language."""

    title = _("missing language")
    parameter_name = "missing_language"

    def __init__(self, request, params, model, model_admin):
        self.langmap_field = model_admin.langmap_list_field
        super().__init__(request, params, model, model_admin)

    def lookups(self, request, model_admin):
        return settings.LANGUAGES

    def queryset(self, request, queryset):
        code = self.value()
        if code not in settings.LANGUAGE_CODES:
            return queryset
        # KeyTextTransform, not "title__lt" ("lt" would be read as the less-than lookup); the
        # length, because comparing a key transform with "" compares JSON on SQLite
        length = Length(KeyTextTransform(code, self.langmap_field))
        return queryset.alias(_langmap_length=length).filter(
            Q(_langmap_length__isnull=True) | Q(_langmap_length=0)
        )


class MissingLanguagesAdminMixin:
    """A "Missing languages" changelist column for ``langmap_list_field``."""

    langmap_list_field = "title"

    @admin.display(description=_("Missing languages"))
    def missing_languages_display(self, obj):
        missing = missing_languages(getattr(obj, self.langmap_list_field))
        return ", ".join(missing) if missing else "—"

    @admin.display(description=_("Title"), ordering="slug")
    def display_title(self, obj):
        return pick(getattr(obj, self.langmap_list_field)).text or obj.slug


# --- form helpers ----------------------------------------------------------------------------


class ChoiceListField(forms.MultipleChoiceField):
    """A JSON list of values from a closed list, as checkboxes."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)


class CommaSeparatedListField(forms.CharField):
    """A JSON list of short strings, typed as "a, b, c"."""

    def __init__(self, *args, normalise=None, **kwargs):
        self.normalise = normalise
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def prepare_value(self, value):
        if isinstance(value, (list, tuple)):
            return ", ".join(str(v) for v in value)
        return value

    def to_python(self, value):
        if isinstance(value, (list, tuple)):
            parts = list(value)
        else:
            parts = (super().to_python(value) or "").split(",")
        out = []
        for part in (str(p).strip() for p in parts):
            if not part:
                continue
            ProhibitNullCharactersValidator()(part)  # PostgreSQL refuses them in JSON
            if self.normalise:
                normalised = self.normalise(part)
                if normalised is None:
                    raise forms.ValidationError(
                        _("“%(value)s” is not valid here."), params={"value": part}
                    )
                part = normalised
            if part not in out:
                out.append(part)
        return out

    def has_changed(self, initial, data):
        return (initial or []) != self.to_python(data)


class AutoSlugFormMixin:
    """Leave the slug empty to make one from the language map named ``slug_source``."""

    slug_source = "title"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "slug" in self.fields:
            self.fields["slug"].required = False
            self.fields["slug"].help_text = _("Leave empty to make one from the title.")

    def clean(self):
        cleaned = super().clean()
        if "slug" in self.fields and not cleaned.get("slug"):
            cleaned["slug"] = self._unique_slug(cleaned.get(self.slug_source))
        return cleaned

    def _unique_slug(self, langmap) -> str:
        model = self._meta.model
        base = slugify(pick(langmap or {}, "en").text)[:100].strip("-")
        base = base or model._meta.model_name
        others = model._default_manager.exclude(pk=self.instance.pk)
        taken = set(others.filter(slug__startswith=base).values_list("slug", flat=True))
        candidate, n = base, 1
        while candidate in taken:
            n += 1
            candidate = f"{base}-{n}"
        return candidate


class RecordAdminForm(AutoSlugFormMixin, forms.ModelForm):
    """Base form for Record models: the tombstone status is set by deleting, not chosen."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("status")
        if field is not None and self.instance.status != Status.DELETED:
            field.choices = [c for c in field.choices if c[0] != Status.DELETED]


# --- malformed requests ----------------------------------------------------------------------


def is_valid_value(field, value) -> bool:
    """Whether the database ``field`` accepts ``value`` (a well-formed id, in range)."""
    try:
        field.clean(value, None)
    except ValidationError:
        return False
    return True


def contains_null_character(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(map(contains_null_character, [*value.keys(), *value.values()]))
    if isinstance(value, list):
        return any(map(contains_null_character, value))
    return False


def validate_json_without_null_characters(value):
    """PostgreSQL refuses a NUL character (``\\u0000``) in JSON."""
    if contains_null_character(value):
        validator = ProhibitNullCharactersValidator()
        raise ValidationError(validator.message, code=validator.code)


class AutocompleteSelect(admin_widgets.AutocompleteSelect):
    """Django's autocomplete widget, re-rendering a form whose id was malformed: it looks the
    submitted id up in the database, which refuses a malformed UUID (a 500)."""

    def optgroups(self, name, value, attr=None):
        value = [v for v in value if is_valid_value(self.field.target_field, v)]
        return super().optgroups(name, value, attr)


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """A multiple choice of records whose ids out of the database's range are refused as
    invalid (SQLite raises OverflowError on them)."""

    def _check_values(self, value):
        pk = self.queryset.model._meta.pk
        for item in value if isinstance(value, list | tuple) else ():
            if not is_valid_value(pk, item):
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": item},
                )
        return super()._check_values(value)


class MalformedInputAdminMixin:
    """Malformed input (ids in a form or chosen for an action, ids out of range, NUL characters
    in JSON or in an autocomplete search) is answered with form errors or a 400, not a 500."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if isinstance(field, forms.JSONField):
            field.validators.append(validate_json_without_null_characters)
        return field

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = AutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs.setdefault("form_class", ModelMultipleChoiceField)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_search_results(self, request, queryset, search_term):
        # PostgreSQL refuses a NUL character in a query (the changelist's search form refuses
        # it already; autocomplete does not)
        search_term = search_term.replace("\x00", "")
        return super().get_search_results(request, queryset, search_term)

    def response_action(self, request, queryset):
        selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        if not all(is_valid_value(self.opts.pk, value) for value in selected):
            raise BadRequest("malformed id in the selection")
        return super().response_action(request, queryset)


# --- the scoping mixin -----------------------------------------------------------------------


class OrganisationScopedAdminMixin(MalformedInputAdminMixin):
    """Organisation scoping for a ModelAdmin, written once.

    ``organisation_field`` is the lookup from the model to its organisation ("organisation",
    "asset__organisation", or "pk" for Organisation itself). Foreign keys to Organisation named
    in ``scoped_organisation_fields`` only offer the organisations the user edits, and saving a
    record for any other organisation is refused even when the POST is crafted by hand.
    """

    organisation_field = "organisation"
    scoped_organisation_fields = ("organisation",)

    def organisation_id_of(self, obj):
        if self.organisation_field in ("pk", "id"):
            return obj.pk
        *path, last = self.organisation_field.split("__")
        for name in path:
            obj = getattr(obj, name, None)
            if obj is None:
                return None
        return getattr(obj, f"{last}_id", None)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        scope = get_scope(request)
        return scope.limit(queryset, self.organisation_field, scope.visible_ids)

    def has_module_permission(self, request):
        return get_scope(request).sees_any

    def has_view_permission(self, request, obj=None):
        scope = get_scope(request)
        if obj is None:
            return scope.sees_any
        return scope.can_view(self.organisation_id_of(obj))

    def has_add_permission(self, request):
        return get_scope(request).edits_any

    def has_change_permission(self, request, obj=None):
        scope = get_scope(request)
        if obj is None:
            return scope.edits_any
        return scope.can_edit(self.organisation_id_of(obj))

    def has_delete_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)

    def editable_queryset(self, request, queryset):
        scope = get_scope(request)
        return scope.limit(queryset, self.organisation_field, scope.editable_ids)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in self.scoped_organisation_fields:
            kwargs["queryset"] = get_scope(request).editable_organisations()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        scope = get_scope(request)
        ids = scope.editable_ids
        for name in self.scoped_organisation_fields:
            if name not in initial and ids is not None and len(ids) == 1:
                initial[name] = next(iter(ids))
        return initial

    def check_organisation(self, request, obj):
        """Refuse to save ``obj`` for an organisation the user does not edit."""
        if not get_scope(request).can_edit(self.organisation_id_of(obj)):
            raise PermissionDenied(_("You may not save records for this organisation."))

    def save_model(self, request, obj, form, change):
        self.check_organisation(request, obj)
        super().save_model(request, obj, form, change)


class LabelledTabularInline(admin.TabularInline):
    """A tabular inline whose inputs carry their field's name (``aria-label``): Django heads
    the columns with table headers only, so a screen reader announces an unnamed field (axe:
    label, select-name)."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None:
            widget = getattr(field.widget, "widget", field.widget)  # inside a related wrapper
            if not isinstance(widget, forms.MultiWidget | forms.HiddenInput):
                widget.attrs.setdefault("aria-label", str(field.label or db_field.verbose_name))
        return field


class ScopedInlineMixin(MalformedInputAdminMixin, LanguageMapAdminMixin):
    """Inline permissions follow the parent record's organisation (``parent_organisation_field``
    is the lookup from the parent to its organisation)."""

    parent_organisation_field = "organisation"

    def _parent_org(self, obj):
        return getattr(obj, f"{self.parent_organisation_field}_id", None)

    def has_view_permission(self, request, obj=None):
        scope = get_scope(request)
        return scope.sees_any if obj is None else scope.can_view(self._parent_org(obj))

    def has_change_permission(self, request, obj=None):
        scope = get_scope(request)
        return scope.edits_any if obj is None else scope.can_edit(self._parent_org(obj))

    def has_add_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)


# --- lifecycle: publish, withdraw, tombstones -------------------------------------------------


class RecordAdminMixin(MissingLanguagesAdminMixin, LanguageMapAdminMixin):
    """Lifecycle for ``Record`` models: publish / withdraw actions limited to the records the
    user edits, and deletes that leave a tombstone. Subclasses hook writes through
    ``perform_publish``, ``perform_withdraw``, ``perform_tombstone`` and ``after_write``."""

    form = RecordAdminForm
    actions = ["publish_selected", "withdraw_selected"]
    record_readonly_fields = ("id", "created_at", "updated_at", "deleted_at", "is_demo")

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return fields + [f for f in self.record_readonly_fields if f not in fields]

    # hooks: subclasses route these through service functions
    def perform_publish(self, request, obj):
        obj.status = Status.PUBLISHED
        if hasattr(obj, "published_at") and obj.published_at is None:
            obj.published_at = timezone.now()
        obj._history_user = request.user
        obj.save()

    def perform_withdraw(self, request, obj):
        obj.status = Status.WITHDRAWN
        obj._history_user = request.user
        obj.save()

    def perform_tombstone(self, request, obj):
        obj.tombstone()
        obj._history_user = request.user
        obj.save()

    def after_write(self, request, objs):
        """Called after records were saved, published, withdrawn or tombstoned."""

    def save_model(self, request, obj, form, change):
        if (
            "status" in form.changed_data
            and obj.status == Status.PUBLISHED
            and hasattr(obj, "published_at")
            and obj.published_at is None
        ):
            obj.published_at = timezone.now()
        super().save_model(request, obj, form, change)
        self.after_write(request, [obj])

    def _bulk(self, request, queryset, perform, done_message):
        editable = list(self.editable_queryset(request, queryset).exclude(status=Status.DELETED))
        skipped = queryset.count() - len(editable)
        done, failed = [], []
        for obj in editable:
            try:
                perform(request, obj)
            except (ValidationError, PermissionDenied) as exc:
                failed.append(f"{obj}: {'; '.join(getattr(exc, 'messages', [str(exc)]))}")
            else:
                done.append(obj)
        if done:
            self.after_write(request, done)
        count = len(done)
        self.message_user(
            request,
            done_message % {"count": count, "items": model_ngettext(self.opts, count)},
            messages.SUCCESS,
        )
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(count)d record was skipped: it is deleted or not yours to edit.",
                    "%(count)d records were skipped: they are deleted or not yours to edit.",
                    skipped,
                )
                % {"count": skipped},
                messages.WARNING,
            )
        for line in failed:
            self.message_user(request, line, messages.ERROR)

    @admin.action(permissions=["change"], description=_("Publish selected %(verbose_name_plural)s"))
    def publish_selected(self, request, queryset):
        self._bulk(request, queryset, self.perform_publish, _("Published %(count)d %(items)s."))

    @admin.action(
        permissions=["change"], description=_("Withdraw selected %(verbose_name_plural)s")
    )
    def withdraw_selected(self, request, queryset):
        self._bulk(request, queryset, self.perform_withdraw, _("Withdrew %(count)d %(items)s."))

    def has_change_permission(self, request, obj=None):
        # a tombstone stays as it is: deleted records are read-only
        if obj is not None and obj.status == Status.DELETED:
            return False
        return super().has_change_permission(request, obj)

    # deleting leaves a tombstone: nothing else is removed, so list only the records themselves
    def get_deleted_objects(self, objs, request):
        pending = [obj for obj in objs if obj.status != Status.DELETED]
        perms_needed = set()
        if any(not self.has_delete_permission(request, obj) for obj in pending):
            perms_needed.add(str(self.opts.verbose_name))
        model_count = {self.opts.verbose_name_plural: len(pending)}
        return [str(obj) for obj in pending], model_count, perms_needed, []

    def delete_model(self, request, obj):
        self.check_organisation(request, obj)
        self.perform_tombstone(request, obj)
        self.after_write(request, [obj])

    def delete_queryset(self, request, queryset):
        pending = [obj for obj in queryset if obj.status != Status.DELETED]
        if any(not self.has_delete_permission(request, obj) for obj in pending):
            raise PermissionDenied
        for obj in pending:
            self.perform_tombstone(request, obj)
        if pending:
            self.after_write(request, pending)


def service_fields(form, obj, allowed, change: bool) -> dict:
    """The values to hand to a ``<entity>_create`` / ``<entity>_update`` service function: what
    the form changed, and on creation also every non-empty value (so derived fields the user
    left empty are left for the service to derive)."""
    names = [name for name in form.fields if name in allowed]
    if change:
        return {name: getattr(obj, name) for name in names if name in form.changed_data}
    return {
        name: getattr(obj, name)
        for name in names
        if name in form.changed_data or getattr(obj, name) not in (None, "", [], {})
    }


def adopt(target, saved) -> None:
    """Copy a record saved by a service function onto the admin's own instance (the inline
    formsets are bound to that instance, so it must carry the saved primary key and values)."""
    for field in type(saved)._meta.concrete_fields:
        setattr(target, field.attname, getattr(saved, field.attname))
    target._state.adding = False
    target._state.db = saved._state.db


class HistoryAdmin(MalformedInputAdminMixin, SimpleHistoryAdmin):
    """simple-history's admin, with a malformed id in a history URL answered 404: its history
    views filter by the ids as typed, and the database fields refuse them (a 500)."""

    def history_view(self, request, object_id, extra_context=None):
        if not is_valid_value(self.model._meta.pk, unquote(object_id)):
            raise Http404
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        """simple-history's revert view loads the old version unscoped and saves on POST with
        only a view-permission check: check the current record first."""
        current = self.get_object(request, unquote(object_id))
        if current is None or not is_valid_value(self.model.history.model._meta.pk, version_id):
            raise Http404
        allowed = (
            self.has_change_permission(request, current)
            if request.method == "POST"
            else self.has_view_permission(request, current)
        )
        if not allowed:
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


class ScopedRecordAdmin(RecordAdminMixin, OrganisationScopedAdminMixin, HistoryAdmin):
    """ModelAdmin for an organisation-owned Record (Asset, Service, Event)."""

    list_per_page = 50
    show_full_result_count = False


# Django's own user and group admins, with the same answer to malformed ids
admin.site.unregister((User, Group))


@admin.register(User)
class UserAdmin(MalformedInputAdminMixin, auth_admin.UserAdmin):
    pass


@admin.register(Group)
class GroupAdmin(MalformedInputAdminMixin, auth_admin.GroupAdmin):
    pass
