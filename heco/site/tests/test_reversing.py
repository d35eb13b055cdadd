"""The memoised reverse() and the language links give what Django's reverse() and
translate_url() give."""

import uuid

import pytest
from django.http import HttpResponse
from django.template import Context, Template
from django.test import RequestFactory, override_settings
from django.urls import NoReverseMatch, include, path, reverse, translate_url
from django.utils.translation import override

from heco.site.context_processors import translated_urls
from heco.site.reversing import cached_reverse

LANGS = ("en", "lt", "it", "sl", "mt", "nl")
# another URLconf (for the test of a change of ROOT_URLCONF)
urlpatterns = [path("", include(([path("elsewhere/", HttpResponse, name="home")], "site")))]


@pytest.mark.parametrize(
    "name, args, kwargs",
    [
        ("site:home", (), {}),
        ("site:asset", (), {"slug": "oginskiai-manor"}),
        ("aggregation:asset-jsonld", (uuid.UUID(int=7),), {}),
    ],
)
def test_cached_reverse_gives_what_reverse_gives_in_every_language(name, args, kwargs):
    for code in LANGS:
        with override(code):
            expected = reverse(name, args=args, kwargs=kwargs)
            assert cached_reverse(name, args=args, kwargs=kwargs) == expected
            assert cached_reverse(name, args=args, kwargs=kwargs) == expected  # from the memo


def test_cached_reverse_raises_as_reverse_does():
    with pytest.raises(NoReverseMatch):
        cached_reverse("site:asset", kwargs={"slug": "not a slug"})


def test_cached_reverse_follows_a_change_of_urlconf():
    with override("en"):
        before = cached_reverse("site:home")
        with override_settings(ROOT_URLCONF=__name__):
            assert cached_reverse("site:home") == reverse("site:home") == "/elsewhere/"
        assert cached_reverse("site:home") == before


def test_the_url_tag_of_heco_site_renders_as_djangos():
    source = "{% url 'site:asset' slug=slug %} {% url 'site:search' as s %}[{{ s }}]"
    django_tag = Template(source)
    ours = Template("{% load heco_site %}" + source)
    for code in LANGS:
        with override(code):
            context = {"slug": "amber-mill"}
            assert ours.render(Context(context)) == django_tag.render(Context(context))


@pytest.mark.parametrize(
    "url",
    [
        "/en/",
        "/lt/assets/amber-mill/",
        "/it/events/?page=2",
        "/en/search/?q=m%C3%BChle&kind=building",
        "/en/no-such-page/",
        "/sitemap.xml",
    ],
)
def test_language_links_are_translate_url_for_every_language(url):
    request = RequestFactory().get(url)
    assert translated_urls(request.get_full_path(), LANGS) == {
        code: translate_url(request.get_full_path(), code) for code in LANGS
    }
