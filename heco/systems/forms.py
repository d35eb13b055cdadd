"""GET forms of the systems pages: bad input gives a clear message and status 400."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from heco.network.models import Community, Organisation
from heco.programme.models import Accessibility, Event
from heco.site.forms import GetForm, parse_month
from heco.systems.service_map import DEFAULT_RADIUS_KM, MAX_RADIUS_KM


class CalendarFilterForm(GetForm):
    month = forms.CharField(label=_("Month"), required=False, max_length=7)
    community = forms.SlugField(label=_("Community"), required=False, max_length=120)
    organisation = forms.SlugField(label=_("Organisation"), required=False, max_length=120)
    audience = forms.ChoiceField(
        label=_("Audience"),
        required=False,
        choices=[("", _("Any audience")), *Event.Audience.choices],
    )
    accessibility = forms.ChoiceField(
        label=_("Accessibility"),
        required=False,
        choices=[("", _("Any")), *Accessibility.choices],
    )

    def clean_month(self):
        value = (self.cleaned_data.get("month") or "").strip()
        if not value:
            return None
        return parse_month(value)

    def clean_community(self):
        slug = self.cleaned_data.get("community")
        if not slug:
            return None
        found = Community.objects.filter(slug=slug).first()
        if found is None:
            raise ValidationError(_("There is no community “%(slug)s”."), params={"slug": slug})
        return found

    def clean_organisation(self):
        slug = self.cleaned_data.get("organisation")
        if not slug:
            return None
        found = Organisation.objects.filter(slug=slug).select_related("community").first()
        if found is None:
            raise ValidationError(_("There is no organisation “%(slug)s”."), params={"slug": slug})
        return found

    def error_list(self) -> list[str]:
        return [str(error) for errors in self.errors.values() for error in errors]


class ServiceMapForm(GetForm):
    radius = forms.IntegerField(
        label=_("Distance (km)"),
        required=False,
        min_value=1,
        max_value=MAX_RADIUS_KM,
        help_text=_("A kind of service further away than this counts as missing."),
    )
    country = forms.RegexField(
        label=_("Country"), required=False, regex=r"^[A-Z]{2}$", max_length=2
    )

    def clean_radius(self):
        return self.cleaned_data.get("radius") or DEFAULT_RADIUS_KM

    def error_list(self) -> list[str]:
        return [str(error) for errors in self.errors.values() for error in errors]
