import re

from heco.site.tests.conftest import LANGS


def test_sitemap_lists_public_pages_with_alternates_in_every_language(client, world):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    xml = response.content.decode()
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
    xml = client.get("/sitemap.xml").content.decode()
    for slug in ["draft-asset", "withdrawn-asset", "deleted-asset"]:
        assert slug not in xml


def test_robots_points_to_the_sitemap(client, db):
    assert "Sitemap: http://testserver/sitemap.xml" in client.get("/robots.txt").content.decode()


def test_x_default_address_redirects_by_accept_language(client, world):
    response = client.get("/assets/oginskiai-manor/", HTTP_ACCEPT_LANGUAGE="lt")
    assert response.status_code == 302
    assert response["Location"] == "/lt/assets/oginskiai-manor/"
