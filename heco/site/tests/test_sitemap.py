import re

from heco.site.tests.conftest import LANGS


def all_sitemaps(client) -> str:
    """The index at /sitemap.xml and the text of every sitemap file it names."""
    index = client.get("/sitemap.xml")
    assert index.status_code == 200
    assert index["Content-Type"].startswith("application/xml")
    locations = re.findall(r"<loc>(.*?)</loc>", index.content.decode())
    assert locations and all(u.startswith("http://testserver/sitemaps/") for u in locations)
    texts = []
    for url in locations:
        response = client.get(url.removeprefix("http://testserver"))
        assert response.status_code == 200, url
        texts.append(response.content.decode())
    return "\n".join(texts)


def test_sitemap_lists_public_pages_with_alternates_in_every_language(client, world):
    xml = all_sitemaps(client)
    assert 'xmlns:xhtml="http://www.w3.org/1999/xhtml"' in xml
    for code in LANGS:
        assert f"<loc>http://testserver/{code}/assets/oginskiai-manor/</loc>" in xml
        assert (
            f'<xhtml:link rel="alternate" hreflang="{code}" '
            f'href="http://testserver/{code}/assets/oginskiai-manor/"/>' in xml
        )
    # x-default is the address without a language prefix, which redirects by Accept-Language
    assert (
        '<xhtml:link rel="alternate" hreflang="x-default" '
        'href="http://testserver/assets/oginskiai-manor/"/>' in xml
    )
    for path in [
        "/en/",
        "/en/search/",
        "/en/services/",
        "/en/events/",
        "/en/organisations/zemaitija-museum/",
        "/en/communities/plunge/",
        "/en/networks/heco/",
        "/en/services/manor-tours/",
        "/en/events/summer-concert/",
    ]:
        assert f"<loc>http://testserver{path}</loc>" in xml, path
    # every <url> carries one alternate per language plus x-default
    for block in re.findall(r"<url>(.*?)</url>", xml, re.S):
        assert block.count("<xhtml:link") == len(LANGS) + 1


def test_sitemap_leaves_out_drafts_withdrawn_and_tombstones(client, world):
    xml = all_sitemaps(client)
    for slug in ["draft-asset", "withdrawn-asset", "deleted-asset"]:
        assert slug not in xml


def test_robots_points_to_the_sitemap(client, db):
    assert "Sitemap: http://testserver/sitemap.xml" in client.get("/robots.txt").content.decode()


def test_x_default_address_redirects_by_accept_language(client, world):
    response = client.get("/assets/oginskiai-manor/", HTTP_ACCEPT_LANGUAGE="lt")
    assert response.status_code == 302
    assert response["Location"] == "/lt/assets/oginskiai-manor/"


def test_the_sitemap_index_names_every_page_of_a_large_section(client, world, monkeypatch):
    # one URL per sitemap file here (Django pages an i18n sitemap by record x language); in
    # production 5,000 URLs, each with its seven alternates
    from heco.heritage.models import Asset
    from heco.site.sitemaps import AssetSitemap

    monkeypatch.setattr(AssetSitemap, "limit", 1)
    published = Asset.objects.published().count()
    assert published > 1
    index = client.get("/sitemap.xml").content.decode()
    pages = re.findall(r"<loc>http://testserver(/sitemaps/assets-\d+\.xml)</loc>", index)
    files = published * len(LANGS)
    assert pages == [f"/sitemaps/assets-{n}.xml" for n in range(1, files + 1)]
    slugs = set()
    for path in pages:
        slugs.update(
            re.findall(
                r"<loc>http://testserver/en/assets/([^/]+)/</loc>",
                client.get(path).content.decode(),
            )
        )
    assert slugs == set(Asset.objects.published().values_list("slug", flat=True))
    # past the end, an unknown section, a malformed name: 404, never 500
    assert client.get(f"/sitemaps/assets-{files + 1}.xml").status_code == 404
    assert client.get("/sitemaps/nothing-1.xml").status_code == 404
    assert client.get("/sitemaps/assets-0.xml").status_code == 404
    assert client.get("/sitemaps/assets-x.xml").status_code == 404
