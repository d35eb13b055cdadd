"""Maltese: Django ships no catalog, so our own catalog carries the Django strings a visitor
sees (form errors, dates, pagination); Babel's CLDR data formats Maltese dates."""

import datetime as dt
from pathlib import Path

import pytest
from babel.dates import format_date
from django import forms
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext, ngettext, pgettext

from heco.site.templatetags.heco_site import fdate
from heco.site.tests.test_translations import read_po

LOCALE_DIR = Path(settings.LOCALE_PATHS[0])
BUILTIN_PO = LOCALE_DIR / "mt" / "django_builtin.po"


def test_maltese_is_registered():
    assert "mt" in dict(settings.LANGUAGES)
    info = translation.get_language_info("mt")
    assert info["name"] == "Maltese"
    assert info["name_local"] == "Malti"


def test_django_form_errors_are_maltese():
    with translation.override("mt"):
        assert gettext("This field is required.") == "Dan il-qasam huwa meħtieġ."
        assert gettext("Enter a valid email address.") == "Daħħal indirizz tal-email validu."
        assert gettext("Enter a whole number.") == "Daħħal numru sħiħ."


def test_a_django_form_validates_in_maltese():
    class ContactForm(forms.Form):
        email = forms.EmailField()
        count = forms.IntegerField(min_value=1)

    with translation.override("mt"):
        form = ContactForm(data={"email": "not an address", "count": "0"})
        assert not form.is_valid()
        assert form.errors["email"] == ["Daħħal indirizz tal-email validu."]
        assert form.errors["count"] == ["Aċċerta ruħek li dan il-valur huwa akbar minn jew daqs 1."]
        assert ContactForm(data={}).errors["email"] == ["Dan il-qasam huwa meħtieġ."]


def test_django_dates_and_plurals_are_maltese():
    with translation.override("mt"):
        assert gettext("December") == "Diċembru"
        assert pgettext("alt. month", "January") == "Jannar"
        assert gettext("Sunday") == "Il-Ħadd"
        # Maltese has four plural forms: 1 / 0 and 2-10 / 11-19 / 20 and more
        forms_by_n = {
            n: ngettext("%(num)d day", "%(num)d days", n) % {"num": n} for n in (1, 3, 12, 25)
        }
        assert forms_by_n == {1: "1 jum", 3: "3 ijiem", 12: "12-il jum", 25: "25 jum"}


def test_babel_formats_a_maltese_date():
    day = dt.date(2026, 12, 3)
    assert "Diċembru" in format_date(day, format="long", locale="mt")
    with translation.override("mt"):
        text = fdate(day)
    assert "Diċembru" in text and "2026" in text
    assert "Ħamis" in text  # Thursday


@pytest.mark.django_db
def test_a_form_error_on_the_public_search_page_is_maltese(client):
    response = client.get("/mt/search/?page=0&kind=no-such-kind")
    html = response.content.decode()
    assert response.status_code == 400
    assert 'lang="mt"' in html
    assert "Hemm problema" in html  # "There is a problem"
    assert "Aċċerta ruħek li dan il-valur huwa akbar minn jew daqs 1." in html
    assert "Agħżel għażla valida." in html
    assert "Ensure this value" not in html and "Select a valid choice" not in html


def test_every_django_builtin_string_is_in_the_maltese_catalog():
    """``make messages`` must merge locale/mt/django_builtin.po back into the catalog after
    makemessages (its --no-obsolete drops the strings that are not in our own source)."""
    builtin = read_po(BUILTIN_PO)
    assert len(builtin) > 150
    merged = read_po(LOCALE_DIR / "mt" / "LC_MESSAGES" / "django.po")
    missing = [key for key in builtin if key not in merged or not merged[key].translated]
    assert not missing, f"Django strings missing from the Maltese catalog: {missing[:10]}"
    untranslated = [entry.msgid for entry in builtin.values() if not entry.translated]
    assert not untranslated
