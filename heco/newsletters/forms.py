from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class SignupForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": _("Enter your email address."),
            "invalid": _("Enter an email address in the form name@example.org."),
        },
    )
    language = forms.ChoiceField(label=_("Language of the newsletter"), choices=settings.LANGUAGES)
    consent = forms.BooleanField(
        error_messages={"required": _("Tick the box to agree to receive the newsletter.")},
    )
    # honeypot: hidden from people (CSS and aria-hidden); bots fill it in
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args, consent_label="", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consent"].label = consent_label

    def is_spam(self) -> bool:
        return bool(self.data.get("website", "").strip())

    def error_list(self) -> list[dict]:
        """[{"field": id, "message": text}] for the error summary (links to the fields)."""
        out = []
        for name, errors in self.errors.items():
            for message in errors:
                out.append({"id": f"id_{name}" if name != "__all__" else "", "message": message})
        return out


class DataRequestForm(forms.Form):
    """Ask for the "your data" link (copy or erasure) to be mailed to an address."""

    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": _("Enter your email address."),
            "invalid": _("Enter an email address in the form name@example.org."),
        },
    )
    website = forms.CharField(label=_("Leave this field empty"), required=False)

    def is_spam(self) -> bool:
        return bool(self.data.get("website", "").strip())

    error_list = SignupForm.error_list
