import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from heco.comms.models import Channel, Item
from heco.core.langmap import LanguageMapFormField
from heco.heritage.models import Asset, Media
from heco.network.models import Organisation
from heco.programme.models import Event


class ItemForm(forms.Form):
    organisation = forms.ModelChoiceField(Organisation.objects.none(), label=_("Organisation"))
    kind = forms.ChoiceField(choices=Item.Kind.choices, label=_("Kind"))
    title = LanguageMapFormField(label=_("Title"))
    summary = LanguageMapFormField(
        label=_("Summary"),
        required=False,
        textarea=True,
        help_text=_("The short text for social posts; the body is used when it is empty."),
    )
    body = LanguageMapFormField(label=_("Body"), required=False, textarea=True)
    link_url = forms.URLField(label=_("Link"), required=False, assume_scheme="https")
    assets = forms.ModelMultipleChoiceField(Asset.objects.none(), required=False, label=_("Assets"))
    events = forms.ModelMultipleChoiceField(Event.objects.none(), required=False, label=_("Events"))
    images = forms.ModelMultipleChoiceField(
        Media.objects.none(),
        required=False,
        label=_("Images"),
        help_text=_("Each image needs alt text in the language of every channel."),
    )
    channels = forms.ModelMultipleChoiceField(
        Channel.objects.none(),
        required=False,
        label=_("Channels"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None chosen: every active channel of the organisation."),
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        org_ids = list(organisations.values_list("pk", flat=True))
        self.fields["organisation"].queryset = organisations
        if len(org_ids) == 1:
            self.fields["organisation"].initial = org_ids[0]
        self.fields["assets"].queryset = Asset.objects.live().filter(organisation_id__in=org_ids)
        self.fields["events"].queryset = Event.objects.live().filter(organisation_id__in=org_ids)
        self.fields["images"].queryset = Media.objects.filter(
            kind=Media.Kind.IMAGE, asset__organisation_id__in=org_ids
        ).select_related("asset")
        self.fields["channels"].queryset = Channel.objects.filter(
            organisation_id__in=org_ids, active=True
        )

    def clean(self):
        cleaned = super().clean()
        org = cleaned.get("organisation")
        if org is not None:
            for name in ("assets", "events", "channels"):
                if any(obj.organisation_id != org.pk for obj in cleaned.get(name) or []):
                    self.add_error(name, _("Choose only records of the item’s organisation."))
        return cleaned


class ScheduleForm(forms.Form):
    scheduled_at = forms.DateTimeField(
        label=_("Publish at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )

    def clean_scheduled_at(self):
        value = self.cleaned_data["scheduled_at"]
        # the database and time-zone conversions cannot hold the first and last years
        if not dt.MINYEAR < value.year < dt.MAXYEAR:
            raise forms.ValidationError(self.fields["scheduled_at"].error_messages["invalid"])
        return value
