import pytest

from heco.publish import urlmap


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/en/", "en/index.html"),
        ("/lt/assets/amber-mill/", "lt/assets/amber-mill/index.html"),
        ("/en/events/?page=1", "en/events/index.html"),
        ("/en/events/?page=3", "en/events/page-3/index.html"),
        ("/en/events/calendar/?month=2026-05", "en/events/calendar/month-2026-05/index.html"),
        ("/feeds/events.ics", "feeds/events.ics"),
        ("/feeds/events.ics?lang=lt", "feeds/events.lang-lt.ics"),
        ("/sitemap.xml", "sitemap.xml"),
        ("/sitemaps/assets-2.xml", "sitemaps/assets-2.xml"),
        ("/media/renditions/x%20y.jpg", "media/renditions/x y.jpg"),
    ],
)
def test_urls_with_a_static_twin_map_to_files(url, expected):
    path, _, query = url.partition("?")
    assert urlmap.output_path(path, query) == expected


@pytest.mark.parametrize(
    "url",
    [
        "/en/search/?q=mill&country=LT",  # facets need the server
        "/en/search/?theme=religion",
        "/en/events/?page=x",
        "/admin/",
        "/api/v1/docs",
        "/oai",
        "/en/routes/amber-way.pdf",
        "/en/../etc/passwd",
    ],
)
def test_urls_without_a_static_twin_are_left_out(url):
    path, _, query = url.partition("?")
    assert urlmap.output_path(path, query) is None


def test_relative_links_name_index_html_explicitly():
    assert (
        urlmap.relative("en/search/index.html", "en/assets/amber-mill/index.html")
        == "../../search/index.html"
    )
    assert urlmap.relative("static/site/site.css", "index.html") == "static/site/site.css"


@pytest.mark.parametrize(
    ("target", "source"),
    [
        ("en/search/index.html", "en/assets/amber-mill/index.html"),
        ("en/assets/amber-mill/index.html", "en/assets/amber-mill/index.html"),
        ("en/assets/amber-mill/index.html", "en/index.html"),
        ("static/site/site.css", "en/events/page-2/index.html"),
        ("index.html", "index.html"),
        ("feeds/events.lang-lt.ics", "lt/events/calendar/month-2026-05/index.html"),
        ("media/renditions/x y.jpg", "en/assets/x/index.html"),
    ],
)
def test_relative_links_equal_posixpath_relpath(target, source):
    import posixpath
    from urllib.parse import quote

    expected = quote(posixpath.relpath(target, posixpath.dirname(source) or "."), safe="/-._~")
    assert urlmap.relative(target, source) == expected
