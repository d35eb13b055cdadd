"""The page cache for anonymous visitors: hits, invalidation by the write services, language,
content negotiation and htmx variants, and never a logged-in user's page or a CSRF token.

The cache is the real one (locmem, as configured); the version file lives in HECO_DATA_DIR.
"""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.test import Client, override_settings
from django.urls import path

from heco.core.cache import (
    _bump_after_commit,
    bump_catalogue_version,
    catalogue_version,
    public_page,
)
from heco.heritage.services import asset_update, asset_withdraw
from heco.programme.services import service_update
from heco.urls import urlpatterns as heco_urlpatterns

MANOR = "/en/assets/oginskiai-manor/"


@pytest.fixture(autouse=True)
def _own_version_file(settings, tmp_path):
    """The version file is shared by every process using the data dir: tests running at the
    same time elsewhere would bump it under these."""
    settings.DATA_DIR = tmp_path


def cache_state(response) -> str | None:
    return response.headers.get("X-Page-Cache")


def vary(response) -> set[str]:
    return {v.strip().lower() for v in response.headers.get("Vary", "").split(",") if v.strip()}


# --- a few views for what the public pages do not do today (user-specific text, a CSRF token,
# a message): mounted beside the real pages by the tests marked with this module's urls ----


@public_page
def hello(request):
    name = request.user.username if request.user.is_authenticated else "visitor"
    return HttpResponse(f"<p>Hello {name}</p>")


@public_page
def form_with_token(request):
    return HttpResponse(f'<form method="post"><input name="t" value="{get_token(request)}">')


@public_page
def notice(request):
    messages.info(request, "Saved.")
    return HttpResponse("<p>a page that sets a message</p>")


urlpatterns = [
    *i18n_patterns(
        path("test-hello/", hello),
        path("test-form/", form_with_token),
        path("test-notice/", notice),
        prefix_default_language=True,
    ),
    *heco_urlpatterns,
]

with_test_views = pytest.mark.urls(__name__)


# --- hits --------------------------------------------------------------------------------------


def test_anonymous_visitor_gets_the_second_view_of_a_public_page_from_the_cache(client, world):
    first = client.get(MANOR)
    second = client.get(MANOR)
    assert first.status_code == second.status_code == 200
    assert (cache_state(first), cache_state(second)) == ("miss", "hit")
    assert second.content == first.content
    assert "Oginskių dvaras" in second.content.decode()


def test_a_cached_page_keeps_its_headers_and_vary(client, world):
    first = client.get(MANOR)
    second = client.get(MANOR)
    assert cache_state(second) == "hit"
    assert "accept" in vary(first)  # JSON-LD and RDF from the same address
    assert vary(second) == vary(first)
    for header in ("Content-Type", "Content-Language", "Content-Security-Policy"):
        assert second.headers[header] == first.headers[header]
    assert second.headers["Content-Language"] == "en"
    assert not second.cookies


def test_search_results_vary_on_htmx_and_the_partial_is_cached_apart(client, indexed):
    url = "/en/search/?q=manor"
    full = client.get(url)
    partial = client.get(url, headers={"HX-Request": "true"})
    assert "hx-request" in vary(full)
    assert cache_state(full) == cache_state(partial) == "miss"
    assert b"<html" in full.content and b"<html" not in partial.content
    again = client.get(url)
    assert cache_state(again) == "hit" and b"<html" in again.content


def test_each_language_is_cached_apart(client, world):
    client.get(MANOR)
    client.get(MANOR)
    lithuanian = client.get("/lt/assets/oginskiai-manor/")
    assert cache_state(lithuanian) == "miss"
    assert lithuanian.headers["Content-Language"] == "lt"
    assert 'lang="lt"' in lithuanian.content.decode()
    english = client.get(MANOR)
    assert cache_state(english) == "hit"
    assert english.headers["Content-Language"] == "en"
    assert 'lang="en"' in english.content.decode()


def test_each_host_is_cached_apart_because_absolute_urls_differ(client, world):
    client.get(MANOR)
    other = client.get(MANOR, HTTP_HOST="localhost")
    assert cache_state(other) == "miss"
    assert "http://localhost/en/assets/oginskiai-manor/" in other.content.decode()
    assert "http://localhost/" not in client.get(MANOR).content.decode()


def test_a_client_asking_for_json_ld_is_not_served_the_cached_html(client, world):
    client.get(MANOR)
    data = client.get(MANOR, headers={"Accept": "application/ld+json"})
    assert data.status_code == 200
    assert "json" in data.headers["Content-Type"]
    assert cache_state(client.get(MANOR)) == "hit"


def test_the_cache_can_be_turned_off(client, world, settings):
    settings.HECO_PAGE_CACHE_SECONDS = 0
    client.get(MANOR)
    assert cache_state(client.get(MANOR)) is None


# --- invalidation ------------------------------------------------------------------------------


def test_editing_an_asset_through_the_services_invalidates_its_cached_page(
    client, world, django_capture_on_commit_callbacks
):
    client.get(MANOR)
    assert cache_state(client.get(MANOR)) == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        asset_update(asset=world["manor"], title={"lt": "Oginskių rūmai", "en": "Oginski Palace"})
    after = client.get(MANOR)
    assert cache_state(after) == "miss"
    assert "Oginski Palace" in after.content.decode()
    assert cache_state(client.get(MANOR)) == "hit"


def test_withdrawing_an_asset_takes_its_cached_page_down(client, world):
    client.get(MANOR)
    asset_withdraw(asset=world["manor"])
    assert client.get(MANOR).status_code == 404


def test_editing_a_service_invalidates_the_pages_that_show_it(client, world):
    client.get(MANOR)
    home = client.get("/en/")
    assert cache_state(client.get("/en/")) == "hit"
    service_update(service=world["service"], name={"en": "Candlelight tours"})
    assert "Candlelight tours" in client.get(MANOR).content.decode()
    fresh_home = client.get("/en/")
    assert cache_state(fresh_home) == "miss"
    assert fresh_home.content != home.content


def test_a_write_bumps_the_version_at_once_and_once_more_when_it_commits(world):
    connection = transaction.get_connection()

    def commit_callbacks():
        return [f for _ids, f, _robust in connection.run_on_commit if f is _bump_after_commit]

    before = catalogue_version()
    bump_catalogue_version()
    bump_catalogue_version()  # several writes in one transaction: one commit callback
    during = catalogue_version()
    assert during != before
    assert len(commit_callbacks()) == 1
    commit_callbacks()[0]()
    assert catalogue_version() != during


def test_a_write_in_another_process_invalidates_this_processes_pages(world):
    before = catalogue_version()
    code = (
        "import django; django.setup(); "
        "from heco.core.cache import bump_catalogue_version; bump_catalogue_version()"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "heco.settings",
        "HECO_DATA_DIR": str(settings.DATA_DIR),
    }
    subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=120)
    assert catalogue_version() != before


def test_with_a_shared_cache_the_version_lives_in_that_cache(tmp_path):
    shared = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / "cache"),
        }
    }
    with override_settings(CACHES=shared):
        from django.core.cache import cache

        first = catalogue_version()
        assert catalogue_version() == first == cache.get("heco:catalogue-version")
        bump_catalogue_version()
        assert catalogue_version() != first


# --- never a private page ----------------------------------------------------------------------


@with_test_views
def test_a_logged_in_user_is_not_served_the_anonymous_cache(client, world, editor):
    client.get("/en/test-hello/")
    assert cache_state(client.get("/en/test-hello/")) == "hit"
    member = Client()
    member.force_login(editor)
    response = member.get("/en/test-hello/")
    assert cache_state(response) is None
    assert "cookie" in vary(response)  # and shared caches downstream are told
    assert response.content == b"<p>Hello editor</p>"
    assert cache_state(member.get(MANOR)) is None


@with_test_views
def test_a_logged_in_users_page_is_never_stored_for_anonymous_visitors(client, world, editor):
    member = Client()
    member.force_login(editor)
    assert member.get("/en/test-hello/").content == b"<p>Hello editor</p>"
    anonymous = client.get("/en/test-hello/")
    assert cache_state(anonymous) == "miss"
    assert anonymous.content == b"<p>Hello visitor</p>"


@with_test_views
def test_a_page_with_a_csrf_token_is_never_stored(client, world):
    first = Client().get("/en/test-form/")
    second = Client().get("/en/test-form/")
    assert cache_state(first) is None and cache_state(second) is None
    assert first.cookies["csrftoken"].value != second.cookies["csrftoken"].value
    assert first.content != second.content


@with_test_views
def test_a_visitor_with_a_message_or_a_session_bypasses_the_cache(client, world):
    client.get(MANOR)
    assert cache_state(client.get(MANOR)) == "hit"
    assert cache_state(client.get("/en/test-notice/")) is None  # sets the messages cookie
    assert "messages" in client.cookies
    assert cache_state(client.get(MANOR)) is None
    visitor = Client()
    visitor.cookies[settings.SESSION_COOKIE_NAME] = "some-session"
    assert cache_state(visitor.get(MANOR)) is None
