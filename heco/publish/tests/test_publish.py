"""``heco publish``: a small catalogue exported into tmp_path, checked file by file."""

import re

import pytest
from django.core.management import call_command

from heco.heritage.services import asset_delete, asset_update
from heco.publish.tests.helpers import AMBER_MILL, LANGS, broken_links, html_files

pytestmark = pytest.mark.django_db


def test_the_whole_site_is_exported_in_every_language_with_working_relative_links(
    catalogue, publish
):
    result = publish(pagefind=True)
    out = publish.out
    assert result.pages_written > 50
    assert not [url for url, status in result.skipped.items() if status >= 500]
    for code in LANGS:
        page = out / code / "assets" / "amber-mill" / "index.html"
        assert page.is_file(), code
        html = page.read_text()
        assert f'lang="{code}"' in html
        assert AMBER_MILL[code].replace("'", "&#x27;") in html or AMBER_MILL[code] in html
        assert (out / code / "index.html").is_file()
        assert (out / code / "search" / "index.html").is_file()
        assert (out / code / "events" / "calendar" / "index.html").is_file()
    assert len(list((out / "en" / "events" / "calendar").glob("month-*/index.html"))) == 12
    assert broken_links(out) == []
    assert (out / "index.html").is_file()
    # the sitemaps and robots.txt keep absolute URLs of the live site
    index = (out / "sitemap.xml").read_text()
    assert "<loc>https://heco.example.org/sitemaps/assets-1.xml</loc>" in index
    sitemap = (out / "sitemaps" / "assets-1.xml").read_text()
    assert "https://heco.example.org/lt/assets/amber-mill/" in sitemap
    assert "Sitemap: https://heco.example.org/sitemap.xml" in (out / "robots.txt").read_text()
    # the image and its renditions are copied, referenced relatively
    mill = (out / "en" / "assets" / "amber-mill" / "index.html").read_text()
    images = re.findall(r'<img src="([^"]+)"', mill)
    assert images and all(src.startswith("../../../media/") for src in images)
    assert [p for p in (out / "media").rglob("*") if p.is_file()]
    assert (out / "static" / "site" / "site.css").is_file()
    # feeds that exist under /feeds/ are exported too
    assert (out / "feeds" / "events.ics").is_file()
    # pagefind: index built, asset pages carry the body and filters, search page loads the UI
    assert (out / "pagefind" / "pagefind.js").is_file()
    assert (out / "pagefind" / "pagefind-ui.js").is_file()
    assert "data-pagefind-body" in mill
    assert 'data-pagefind-filter="country:' in mill
    search = (out / "en" / "search" / "index.html").read_text()
    assert '<script src="../../pagefind/pagefind-ui.js"' in search
    assert 'id="static-search"' in search
    assert "<script>" not in search  # external scripts only (CSP)
    # no page points at the server's filters or htmx fragments
    assert not any("hx-get" in p.read_text() for p in html_files(out))


def test_a_second_run_writes_nothing(catalogue, publish):
    first = publish()
    second = publish()
    assert second.pages_written == 0
    assert second.pages_unchanged == first.pages
    assert second.files_copied == 0
    assert second.removed == 0


def test_editing_one_asset_rewrites_only_the_pages_that_show_it(catalogue, publish):
    first = publish()
    asset_update(asset=catalogue["mill"], title={**AMBER_MILL, "en": "Old Amber Mill"})
    second = publish()
    written = set(second.written)
    for code in LANGS:
        assert f"{code}/assets/amber-mill/index.html" in written
    # the other assets' pages and the events are untouched
    assert not any("salt-tower" in p or "hill-chapel" in p for p in written), written
    assert not any("/events/" in p for p in written), written
    # what may show the mill: its pages, its organisation, community and network, the home
    # page, and the services list and the mill's own guided tour
    allowed = ("assets/amber-mill/", "organisations/plunge-library/", "communities/plunge/")
    allowed += ("networks/heco-network/", "services/index.html", "services/mill-tours/")
    for path in written:
        if path.startswith("sitemaps/"):
            assert path == "sitemaps/assets-1.xml", path  # the mill's last modification
            continue
        assert path == "sitemap.xml" or path.endswith(("/index.html",)), path
        tail = path.split("/", 1)[1] if "/" in path else path
        assert tail in ("index.html", "sitemap.xml") or tail.startswith(allowed), path
    assert len(written) < first.pages / 4
    page = (publish.out / "en" / "assets" / "amber-mill" / "index.html").read_text()
    assert "Old Amber Mill" in page


def test_a_tombstoned_asset_loses_its_pages(catalogue, publish):
    publish()
    assert (publish.out / "sl" / "assets" / "salt-tower" / "index.html").is_file()
    asset_delete(asset=catalogue["tower"])
    result = publish()
    for code in LANGS:
        assert not (publish.out / code / "assets" / "salt-tower").exists()
        assert f"{code}/assets/salt-tower/index.html" in result.removed_paths
    # (published without pagefind here: its files are checked in the first test)
    assert [p for p in broken_links(publish.out) if "/pagefind/" not in p] == []


def test_the_command_reports_what_it_wrote(catalogue, tmp_path, capsys):
    call_command("publish", "--out", str(tmp_path / "out"), "--no-search", "--no-progress")
    first = capsys.readouterr().out
    assert re.search(r"\d+ pages: \d+ written, 0 unchanged", first)
    call_command("publish", "--out", str(tmp_path / "out"), "--no-search", "--no-progress")
    assert " 0 written" in capsys.readouterr().out
