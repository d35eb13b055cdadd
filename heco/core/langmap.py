"""Language maps: multilingual text as {"lt": "...", "en": "..."} keyed by BCP 47 tags.

One model field (LanguageMapField), one form widget (LanguageMapWidget, a row per language),
one lookup helper with a fallback order: requested language -> network default -> English -> any.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

# the characters XML 1.0 forbids (heco.core.text.xml_text drops them on output): control
# characters but tab and line breaks — NUL among them, which no PostgreSQL text or jsonb
# holds —, U+FFFE, U+FFFF and lone surrogates
from heco.core.text import XML_INVALID as UNSTORABLE_RE

# A pragmatic BCP 47 check: language (2-3 letters), optional script, region and variants.
BCP47_RE = re.compile(
    r"^[a-z]{2,3}(-[A-Z][a-z]{3})?(-([A-Z]{2}|[0-9]{3}))?(-([a-z0-9]{5,8}|[0-9][a-z0-9]{3}))*$"
)
# ISO 639-2/3 codes that harvested sources send, mapped to their BCP 47 two-letter tag.
ISO639_3_TO_1 = {
    "eng": "en",
    "lit": "lt",
    "ita": "it",
    "slv": "sl",
    "mlt": "mt",
    "nld": "nl",
    "dut": "nl",
    "fra": "fr",
    "fre": "fr",
    "deu": "de",
    "ger": "de",
    "spa": "es",
    "pol": "pl",
    "lav": "lv",
    "est": "et",
    "hrv": "hr",
    "por": "pt",
    "ces": "cs",
    "cze": "cs",
    "slk": "sk",
    "slo": "sk",
    "hun": "hu",
    "fin": "fi",
    "swe": "sv",
    "dan": "da",
    "ell": "el",
    "gre": "el",
    "rus": "ru",
    "lat": "la",
    "ron": "ro",
    "rum": "ro",
    "bul": "bg",
    "ukr": "uk",
    "gle": "ga",
    "cat": "ca",
}


def normalise_language_tag(tag: str) -> str | None:
    """Return the canonical BCP 47 form of ``tag`` (``eng`` -> ``en``, ``en_gb`` -> ``en-GB``).

    Returns None when the tag cannot be understood.
    """
    if not isinstance(tag, str):
        return None
    parts = [p for p in re.split(r"[-_]", tag.strip()) if p]
    if not parts or not parts[0].isalpha():
        return None
    lang = parts[0].lower()
    lang = ISO639_3_TO_1.get(lang, lang)
    out = [lang]
    for part in parts[1:]:
        if len(part) == 4 and part.isalpha():
            out.append(part.title())
        elif len(part) == 2 and part.isalpha() or len(part) == 3 and part.isdigit():
            out.append(part.upper())
        else:
            out.append(part.lower())
    result = "-".join(out)
    return result if BCP47_RE.match(result) else None


def validate_language_map(value) -> None:
    if value in (None, ""):
        return
    if not isinstance(value, dict):
        raise ValidationError(_("A language map must be an object of language tag to text."))
    for key, text in value.items():
        if not isinstance(key, str) or not BCP47_RE.match(key):
            raise ValidationError(
                _("“%(tag)s” is not a valid BCP 47 language tag."), params={"tag": key}
            )
        if not isinstance(text, str):
            raise ValidationError(
                _("The text for “%(tag)s” must be a string."), params={"tag": key}
            )
        found = UNSTORABLE_RE.search(text)
        if found:
            raise ValidationError(
                _(
                    "The text for “%(tag)s” contains a character that cannot be stored "
                    "(%(char)s, usually invisible); remove it."
                ),
                code="unstorable_character",
                params={"tag": key, "char": f"U+{ord(found.group()):04X}"},
            )


def clean_language_map(value: dict | None) -> dict:
    """Drop empty entries and strip whitespace."""
    if not value:
        return {}
    return {k: v.strip() for k, v in value.items() if isinstance(v, str) and v.strip()}


@dataclass(frozen=True)
class LocalisedText:
    """A text picked from a language map, with the language it is actually in."""

    text: str
    lang: str
    requested: str

    @property
    def is_fallback(self) -> bool:
        return bool(self.text) and self.lang.split("-")[0] != self.requested.split("-")[0]

    def __str__(self) -> str:
        return self.text

    def __bool__(self) -> bool:
        return bool(self.text)


def fallback_order(lang: str | None, default: str | None = None) -> list[str]:
    lang = (lang or get_language() or settings.LANGUAGE_CODE).split("-")[0]
    order = [lang]
    for extra in (default, "en"):
        if extra and extra not in order:
            order.append(extra)
    return order


def pick(value: dict | None, lang: str | None = None, default: str | None = None) -> LocalisedText:
    """Pick the best text from a language map: requested -> network default -> English -> any."""
    requested = (lang or get_language() or settings.LANGUAGE_CODE).split("-")[0]
    if not value:
        return LocalisedText("", requested, requested)
    for candidate in fallback_order(requested, default):
        if value.get(candidate):
            return LocalisedText(value[candidate], candidate, requested)
        for key, text in value.items():  # "en-GB" satisfies "en"
            if text and key.split("-")[0] == candidate:
                return LocalisedText(text, key, requested)
    for key in sorted(value):
        if value[key]:
            return LocalisedText(value[key], key, requested)
    return LocalisedText("", requested, requested)


def missing_languages(value: dict | None, languages: list[str] | None = None) -> list[str]:
    languages = languages or settings.LANGUAGE_CODES
    value = value or {}
    return [code for code in languages if not value.get(code)]


class LanguageMapWidget(forms.MultiWidget):
    """One input per interface language, each labelled and carrying its ``lang`` attribute."""

    template_name = "core/widgets/language_map.html"

    def __init__(self, attrs=None, textarea: bool = False, languages=None):
        self.languages = list(languages or settings.LANGUAGE_CODES)
        widget_cls = forms.Textarea if textarea else forms.TextInput
        widgets = {}
        for code in self.languages:
            extra = {"lang": code}
            if textarea:
                extra["rows"] = 3
            widgets[code] = widget_cls(attrs=extra)
        super().__init__(widgets, attrs)

    def decompress(self, value):
        value = value or {}
        if isinstance(value, str):
            import json

            try:
                value = json.loads(value)
            except ValueError:
                value = {}
        return [value.get(code, "") for code in self.languages]

    def value_from_datadict(self, data, files, name):
        values = super().value_from_datadict(data, files, name)
        return {code: text for code, text in zip(self.languages, values, strict=True) if text}

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        names = dict(settings.LANGUAGES)
        for code, sub in zip(self.languages, context["widget"]["subwidgets"], strict=True):
            sub["lang_code"] = code
            sub["lang_name"] = names.get(code, code)
        return context


class LanguageMapFormField(forms.JSONField):
    def __init__(self, *args, required_languages=(), textarea=False, **kwargs):
        kwargs.setdefault("widget", LanguageMapWidget(textarea=textarea))
        self.required_languages = tuple(required_languages)
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        if isinstance(value, dict):
            return clean_language_map(value)
        return clean_language_map(super().to_python(value))

    def prepare_value(self, value):
        return value

    def bound_data(self, data, initial):
        # The widget already hands us a dict; JSONField.bound_data expects a JSON string.
        if isinstance(data, dict) or self.disabled:
            return initial if self.disabled else data
        return super().bound_data(data, initial)

    def has_changed(self, initial, data):
        return clean_language_map(initial) != clean_language_map(data)

    def validate(self, value):
        if self.required and not value:
            raise ValidationError(_("Enter the text in at least one language."), code="required")
        validate_language_map(value)  # also refuses NUL, which PostgreSQL refuses in JSON


class LanguageMapField(models.JSONField):
    """A JSON object of BCP 47 language tag -> text."""

    description = "Language map (BCP 47 tag to text)"

    def __init__(self, *args, textarea: bool = False, **kwargs):
        self.textarea = textarea
        kwargs.setdefault("default", dict)
        kwargs.setdefault("validators", [validate_language_map])
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if kwargs.get("default") is dict:
            del kwargs["default"]
        kwargs.pop("validators", None)
        if self.textarea:
            kwargs["textarea"] = True
        return name, path, args, kwargs

    def formfield(self, **kwargs):
        defaults = {"form_class": LanguageMapFormField, "textarea": self.textarea}
        defaults.update(kwargs)
        return models.Field.formfield(self, **defaults)
