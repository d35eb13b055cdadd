import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from heco.core.langmap import (
    LanguageMapWidget,
    missing_languages,
    normalise_language_tag,
    pick,
    validate_language_map,
)


def test_pick_returns_the_requested_language():
    text = pick({"lt": "Dvaras", "en": "Manor"}, "lt")
    assert (text.text, text.lang, text.is_fallback) == ("Dvaras", "lt", False)


def test_pick_falls_back_to_network_default_then_english_then_any():
    value = {"lt": "Dvaras", "en": "Manor", "it": "Villa"}
    assert pick(value, "nl", default="it").lang == "it"
    assert pick(value, "nl").lang == "en"
    assert pick({"sl": "Grad"}, "nl").text == "Grad"
    assert pick({"sl": "Grad"}, "nl").is_fallback


def test_pick_matches_a_regional_variant():
    assert pick({"en-GB": "Colour"}, "en").text == "Colour"


def test_pick_of_empty_map_is_empty_and_falsy():
    assert not pick({}, "en")
    assert not pick(None, "en")


def test_missing_languages_lists_the_gaps():
    assert missing_languages({"en": "x", "lt": "y"}) == ["it", "sl", "mt", "nl"]


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("eng", "en"),
        ("lit", "lt"),
        ("fra", "fr"),
        ("en_gb", "en-GB"),
        ("nl-nl", "nl-NL"),
        ("sr-latn-rs", "sr-Latn-RS"),
        ("", None),
        ("123", None),
    ],
)
def test_language_tags_are_normalised_to_bcp47(raw, expected):
    assert normalise_language_tag(raw) == expected


def test_invalid_language_map_is_rejected():
    with pytest.raises(ValidationError):
        validate_language_map({"english": "x"})
    with pytest.raises(ValidationError):
        validate_language_map(["en", "x"])
    with pytest.raises(ValidationError):
        validate_language_map({"en": 3})


def test_widget_round_trips_a_map_and_drops_empty_languages():
    widget = LanguageMapWidget()
    data = {"title_en": "Manor", "title_lt": "Dvaras", "title_it": ""}
    assert widget.value_from_datadict(data, {}, "title") == {"en": "Manor", "lt": "Dvaras"}
    html = widget.render("title", {"en": "Manor"})
    assert 'lang="lt"' in html and "Manor" in html


@given(st.dictionaries(st.sampled_from(["en", "lt", "it", "sl", "mt", "nl"]), st.text(min_size=1)))
def test_pick_always_returns_a_text_of_the_map(value):
    result = pick(value, "lt")
    assert result.text in value.values() if value else result.text == ""
    if "lt" in value:
        assert result.text == value["lt"]


def test_a_form_with_errors_re_renders_the_language_map_it_was_given():
    from django import forms

    from heco.core.langmap import LanguageMapFormField

    class TitleForm(forms.Form):
        title = LanguageMapFormField()
        year = forms.IntegerField()

    form = TitleForm(data={"title_en": "Manor", "title_lt": "Dvaras", "year": "not a year"})
    assert not form.is_valid() and "year" in form.errors
    html = form.as_p()
    assert "Manor" in html and "Dvaras" in html


# characters no PostgreSQL text/jsonb (NUL) or XML 1.0 document (the rest) can hold
UNSTORABLE = ["\x00", "\x01", "\x08", "\x0b", "\x0c", "\x1f", "\ufffe", "\uffff", "\ud800"]


@pytest.mark.parametrize("char", UNSTORABLE)
def test_a_language_map_with_a_character_no_database_or_xml_can_hold_is_refused(char):
    with pytest.raises(ValidationError) as caught:
        validate_language_map({"en": "Manor", "lt": f"Dvaras{char}parke"})
    message = " ".join(caught.value.messages)
    assert "“lt”" in message
    assert f"U+{ord(char):04X}" in message


@pytest.mark.parametrize("text", ["Line one\nline two", "Tab\there", "CR\r\nLF", "Žemaitė 😀"])
def test_a_language_map_keeps_tabs_line_breaks_and_any_other_letter(text):
    validate_language_map({"lt": text})


def test_the_model_field_refuses_a_nul_before_the_database_sees_it(db):
    from heco.testing.factories import CommunityFactory

    community = CommunityFactory.build(slug="plunge", name={"lt": "Plungė\x00"})
    with pytest.raises(ValidationError) as caught:
        community.full_clean()
    assert "name" in caught.value.message_dict
    assert "U+0000" in " ".join(caught.value.message_dict["name"])
    community.name = {"lt": "Plungė"}
    community.full_clean()


def test_the_form_field_refuses_a_control_character_too():
    from heco.core.langmap import LanguageMapFormField

    field = LanguageMapFormField()
    with pytest.raises(ValidationError):
        field.clean({"en": "Manor\x0bhouse"})
    assert field.clean({"en": " Manor "}) == {"en": "Manor"}
