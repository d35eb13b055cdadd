import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from heco.testing.factories import AssetFactory, EventFactory

pytestmark = pytest.mark.django_db


def assert_embeddable(response):
    assert response.status_code == 200
    assert "X-Frame-Options" not in response
    csp = response["Content-Security-Policy"]
    assert "frame-ancestors *" in csp
    assert "frame-ancestors 'none'" not in csp
    assert "script-src 'self'" in csp
    assert not response.cookies
    assert "Set-Cookie" not in str(response.serialize_headers())
    content = response.content.decode()
    assert "csrfmiddlewaretoken" not in content
    # no third-party scripts: every script comes from our static files
    for src in re.findall(r'<script[^>]*src="([^"]+)"', content):
        assert src.startswith("/static/")
    return content


def test_the_events_widget_lists_upcoming_events_of_a_community(client, home_org, other_org):
    soon = timezone.now() + dt.timedelta(days=2)
    EventFactory(organisation=home_org, slug="poetry", title={"en": "Poetry evening",
                 "lt": "Poezijos vakaras"}, start=soon)  # fmt: skip
    EventFactory(organisation=other_org, slug="elsewhere", title={"en": "Elsewhere"}, start=soon)

    response = client.get(f"/embed/lt/events/?community={home_org.community.slug}&limit=5")

    content = assert_embeddable(response)
    assert '<html lang="lt">' in content
    assert "Poezijos vakaras" in content and "Elsewhere" not in content
    assert 'href="http://127.0.0.1:8000/lt/events/poetry/" target="_blank"' in content


def test_the_events_widget_runs_a_fixed_number_of_queries(client, home_org):
    start = timezone.now() + dt.timedelta(days=1)
    EventFactory(organisation=home_org, start=start)
    client.get("/embed/en/events/")  # warm caches
    with CaptureQueriesContext(connection) as few:
        client.get("/embed/en/events/?limit=10")
    for n in range(6):
        EventFactory(organisation=home_org, start=start + dt.timedelta(hours=n + 1))
    with CaptureQueriesContext(connection) as many:
        content = assert_embeddable(client.get("/embed/en/events/?limit=10"))
    assert len(many) == len(few)
    assert content.count("<li>") == 7


def test_the_map_widget_uses_our_leaflet_and_the_configured_tiles(client, home_org, settings):
    settings.HECO_MAP_TILES = "https://tiles.example.net/{z}/{x}/{y}.png"
    AssetFactory(organisation=home_org, slug="old-mill", title={"en": "Old mill"})
    AssetFactory(slug="far-away", title={"en": "Far away"})

    response = client.get(f"/embed/en/map/?organisation={home_org.slug}")

    content = assert_embeddable(response)
    assert "/static/vendor/leaflet/leaflet.js" in content
    assert 'data-tiles="https://tiles.example.net/{z}/{x}/{y}.png"' in content
    assert "https://tiles.example.net" in response["Content-Security-Policy"]
    assert "Old mill" in content and "Far away" not in content


def test_the_asset_card_widget(client, home_org):
    AssetFactory(organisation=home_org, slug="old-mill", title={"en": "Old mill",
                 "lt": "Senasis malūnas"}, summary={"en": "A mill."})  # fmt: skip

    with CaptureQueriesContext(connection) as queries:
        response = client.get("/embed/lt/assets/old-mill/card")

    content = assert_embeddable(response)
    assert "Senasis malūnas" in content
    assert 'href="http://127.0.0.1:8000/lt/assets/old-mill/"' in content
    assert len(queries) <= 3  # asset + images (+ the network language, cached afterwards)
    assert client.get("/embed/lt/assets/nope/card").status_code == 404
    assert client.get("/embed/xx/assets/old-mill/card").status_code == 404


def test_ordinary_pages_still_refuse_framing(client, db):
    response = client.get("/en/news/")
    assert response["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_the_help_page_has_copyable_snippets(client, home_org):
    AssetFactory(organisation=home_org, slug="old-mill")

    response = client.get("/en/embed/")

    assert response.status_code == 200
    content = response.content.decode()
    assert "&lt;iframe src=&quot;http://127.0.0.1:8000/embed/en/events/?community=" in content
    assert "/embed/en/assets/old-mill/card" in content
    assert "<textarea" in content and "readonly" in content
