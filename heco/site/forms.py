"""GET forms of the public pages: they validate what arrives in the URL, so bad input gives a
clear message (400) instead of an error page."""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.utils.translation import gettext_lazy as _

from heco.heritage.models import Asset, Theme
from heco.programme.models import Accessibility, Service
from heco.search.base import SearchQuery

MAX_QUERY_LENGTH = 200
MAX_PAGE = 1000
MAX_VALUES = 20  # values of one filter
PER_PAGE = 20
MAP_PER_PAGE = 200

PERIOD_RE = re.compile(r"^\s*(-?\d{1,4})?\s*(?:\.\.|/|–|—|\s-\s)\s*(-?\d{1,4})?\s*$")
PERIOD_PLAIN_RE = re.compile(r"^\s*(\d{1,4})-(\d{1,4})\s*$")  # 1500-1700
YEAR_RE = re.compile(r"^\s*(-?\d{1,4})\s*$")


def parse_period(value: str) -> tuple[int | None, int | None]:
    """``1500..1700``, ``1500-1700``, ``1500/1700``, ``..1700``, ``1500..`` or ``1650``."""
    match = PERIOD_PLAIN_RE.match(value) or PERIOD_RE.match(value)
    if match:
        lo, hi = (int(g) if g else None for g in match.groups())
    elif YEAR_RE.match(value):
        lo = hi = int(value)
    else:
        raise ValidationError(
            _("Enter a period as two years, for example 1500..1700."), code="invalid_period"
        )
    if lo is None and hi is None:
        raise ValidationError(_("Enter at least one year of the period."), code="invalid_period")
    if lo is not None and hi is not None and lo > hi:
        raise ValidationError(
            _("The first year of the period must not be after the last."), code="invalid_period"
        )
    return lo, hi


class ValueListField(forms.Field):
    """A repeated GET parameter (``?community=a&community=b``) of short tokens."""

    widget = forms.MultipleHiddenInput

    def __init__(self, *, validator=None, normalise=None, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.validator = validator
        self.normalise = normalise

    def to_python(self, value):
        if not value:
            return []
        values = [value] if isinstance(value, str) else list(value)
        values = [v.strip() for v in values if v and v.strip()]
        if len(values) > MAX_VALUES:
            raise ValidationError(
                _("Choose at most %(max)s values of one filter."), params={"max": MAX_VALUES}
            )
        if self.normalise:
            values = [self.normalise(v) for v in values]
        return list(dict.fromkeys(values))

    def validate(self, value):
        super().validate(value)
        for item in value:
            if self.validator:
                self.validator(item)


def validate_country(value):
    if not re.fullmatch(r"[A-Z]{2}", value):
        raise ValidationError(
            _("“%(value)s” is not a country code (two letters, such as LT)."),
            params={"value": value[:20]},
        )


def validate_slug_value(value):
    try:
        validate_slug(value)
        if len(value) > 120:
            raise ValidationError("too long")
    except ValidationError:
        raise ValidationError(
            _("“%(value)s” is not a valid name in a URL."), params={"value": value[:40]}
        )


class ChoiceListField(forms.MultipleChoiceField):
    widget = forms.MultipleHiddenInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        if len(value) > MAX_VALUES:
            raise ValidationError(
                _("Choose at most %(max)s values of one filter."), params={"max": MAX_VALUES}
            )
        return list(dict.fromkeys(value))


class PageField(forms.IntegerField):
    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_PAGE)
        kwargs.setdefault("error_messages", {"invalid": _("The page must be a whole number.")})
        super().__init__(**kwargs)


class GetForm(forms.Form):
    """A form bound to the query string. A NUL character becomes U+FFFD, as browsers show it:
    echoed back in the re-rendered form or in an error message it made the page invalid HTML."""

    def __init__(self, data=None, **kwargs):
        if data is not None:
            data = data.copy()
            for key, values in list(data.lists()):
                data.setlist(key, [value.replace("\x00", "\ufffd") for value in values])
        super().__init__(data, **kwargs)


class SearchForm(GetForm):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=MAX_QUERY_LENGTH,
        strip=True,
        error_messages={
            "max_length": _("The search text is too long: use at most %(limit_value)d characters.")
        },
    )
    country = ValueListField(validator=validate_country, normalise=str.upper)
    community = ValueListField(validator=validate_slug_value)
    organisation = ValueListField(validator=validate_slug_value)
    kind = ChoiceListField(choices=Asset.Kind.choices)
    theme = ChoiceListField(choices=Theme.choices)
    accessibility = ChoiceListField(choices=Accessibility.choices)
    period = forms.CharField(label=_("Period"), required=False, max_length=24)
    open_now = forms.BooleanField(label=_("Open now"), required=False)
    view = forms.ChoiceField(choices=[("list", _("List")), ("map", _("Map"))], required=False)
    page = PageField()

    def clean_period(self):
        value = self.cleaned_data.get("period") or ""
        return parse_period(value) if value.strip() else None

    def clean_view(self):
        return self.cleaned_data.get("view") or "list"

    def clean_page(self):
        return self.cleaned_data.get("page") or 1

    @property
    def per_page(self) -> int:
        return MAP_PER_PAGE if self.cleaned_data.get("view") == "map" else PER_PAGE

    def search_query(self, lang: str) -> SearchQuery:
        data = self.cleaned_data
        page = data["page"]
        return SearchQuery(
            q=data.get("q") or "",
            country=tuple(data.get("country") or ()),
            community=tuple(data.get("community") or ()),
            organisation=tuple(data.get("organisation") or ()),
            kind=tuple(data.get("kind") or ()),
            theme=tuple(data.get("theme") or ()),
            accessibility=tuple(data.get("accessibility") or ()),
            period=data.get("period"),
            open_now=bool(data.get("open_now")),
            lang=lang,
            offset=(page - 1) * self.per_page,
            limit=self.per_page,
        )

    def error_list(self) -> list[str]:
        """Every error as one message, field label first where it helps."""
        messages = []
        for name, errors in self.errors.items():
            for error in errors:
                messages.append(error if name == "__all__" else f"{self._label(name)}: {error}")
        return messages

    def _label(self, name: str) -> str:
        labels = {
            "q": _("Search"),
            "country": _("Country"),
            "community": _("Community"),
            "organisation": _("Organisation"),
            "kind": _("Kind"),
            "theme": _("Theme"),
            "accessibility": _("Accessibility"),
            "period": _("Period"),
            "open_now": _("Open now"),
            "view": _("View"),
            "page": _("Page"),
        }
        return str(labels.get(name, name))


class ServiceFilterForm(GetForm):
    kind = forms.ChoiceField(
        label=_("Kind of service"),
        choices=[("", _("All kinds")), *Service.Kind.choices],
        required=False,
    )
    community = forms.CharField(label=_("Community"), required=False, max_length=120)
    organisation = forms.CharField(required=False, max_length=120, widget=forms.HiddenInput)
    page = PageField()

    def clean_community(self):
        value = self.cleaned_data.get("community") or ""
        if value:
            validate_slug_value(value)
        return value

    def clean_organisation(self):
        value = self.cleaned_data.get("organisation") or ""
        if value:
            validate_slug_value(value)
        return value

    def clean_page(self):
        return self.cleaned_data.get("page") or 1

    error_list = SearchForm.error_list
    _label = SearchForm._label


class PageForm(GetForm):
    page = PageField()

    def clean_page(self):
        return self.cleaned_data.get("page") or 1

    error_list = SearchForm.error_list
    _label = SearchForm._label


class EventListForm(PageForm):
    organisation = forms.CharField(required=False, max_length=120, widget=forms.HiddenInput)

    clean_organisation = ServiceFilterForm.clean_organisation


MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(value: str):
    """``2026-12`` -> (2026, 12); raises ValidationError otherwise."""
    match = MONTH_RE.match(value or "")
    if not match:
        raise ValidationError(_("Give the month as year and month, for example 2026-12."))
    year, month = int(match.group(1)), int(match.group(2))
    if not (1 <= month <= 12 and 1900 <= year <= 2200):
        raise ValidationError(_("Give the month as year and month, for example 2026-12."))
    return year, month
