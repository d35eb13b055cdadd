"""The static export in a real browser: served by a plain file server, its pagefind search box
finds an asset by title; opened from disk (file://), its relative links work."""

import functools
import http.server
import threading

import pytest

from heco.publish.builder import Publisher, pagefind_available
from heco.publish.tests.helpers import make_catalogue

pytestmark = pytest.mark.django_db


@pytest.fixture
def static_site(db, tmp_path):
    if not pagefind_available():
        pytest.skip("pagefind is not installed")
    make_catalogue()
    out = tmp_path / "site"
    result = Publisher(out, base_url="https://heco.example.org").run()
    assert result.search_indexed
    return out


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's signature
        pass


@pytest.fixture
def file_server(static_site):
    handler = functools.partial(QuietHandler, directory=str(static_site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_the_static_search_finds_an_asset_by_its_title(page, file_server):
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{file_server}/en/search/index.html")
    box = page.locator(".pagefind-ui__search-input")
    box.fill("amber")
    result = page.locator(".pagefind-ui__result-link", has_text="Amber Mill")
    result.first.wait_for()
    result.first.click()
    page.wait_for_url("**/en/assets/amber-mill/index.html")
    assert page.locator("h1").inner_text() == "Amber Mill"
    assert errors == []


def test_the_home_page_search_box_hands_its_words_to_the_static_search(page, file_server):
    page.goto(f"{file_server}/lt/index.html")
    page.locator("form[role=search] input[name=q]").fill("malūnas")
    page.locator("form[role=search] button").click()
    page.wait_for_url("**/lt/search/index.html?q=*")
    page.locator(".pagefind-ui__result-link", has_text="Gintaro malūnas").first.wait_for()


def test_the_export_opened_from_disk_navigates_by_relative_links(page, static_site):
    page.goto((static_site / "index.html").as_uri())
    page.wait_for_url("**/en/index.html")
    page.locator("nav.lang-switcher a[lang=sl]").click()
    page.wait_for_url("**/sl/index.html")
    page.goto((static_site / "en" / "assets" / "amber-mill" / "index.html").as_uri())
    page.locator(".breadcrumbs a").first.click()
    page.wait_for_url("**/en/index.html")
    assert page.locator("link[rel=stylesheet]").first.get_attribute("href").startswith("../")
