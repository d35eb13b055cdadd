import json
import re

import pytest
from django.utils import translation

from heco.site.tests.conftest import LANGS, add_image
from heco.testing.factories import AssetFactory

PAGES = [
    "/{lang}/",
    "/{lang}/assets/oginskiai-manor/",
    "/{lang}/organisations/zemaitija-museum/",
    "/{lang}/communities/plunge/",
    "/{lang}/networks/heco/",
    "/{lang}/services/",
    "/{lang}/services/manor-tours/",
    "/{lang}/events/",
    "/{lang}/events/calendar/",
    "/{lang}/events/calendar/?month=2026-12",
    "/{lang}/events/summer-concert/",
    "/{lang}/events/saturday-workshop/",
    "/{lang}/search/",
    "/{lang}/search/?q=dvaras",
    "/{lang}/search/?view=map",
]


def jsonld_blocks(html: str) -> list[dict]:
    found = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return [json.loads(block) for block in found]


def meta(html: str, prop: str) -> str | None:
    match = re.search(rf'<meta property="{re.escape(prop)}" content="([^"]*)"', html)
    return match.group(1) if match else None


@pytest.mark.parametrize("lang", LANGS)
def test_every_public_page_answers_in_every_language(client, indexed, lang):
    for pattern in PAGES:
        url = pattern.format(lang=lang)
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert f'<html lang="{lang}"' in html, url
        assert '<main id="main"' in html and 'class="skip-link"' in html


def test_language_switcher_links_to_the_same_page_in_each_language(client, world):
    html = client.get("/en/assets/oginskiai-manor/").content.decode()
    for code in LANGS:
        assert f'<a href="/{code}/assets/oginskiai-manor/" lang="{code}" hreflang="{code}"' in html
        assert (
            f'<link rel="alternate" hreflang="{code}" '
            f'href="http://testserver/{code}/assets/oginskiai-manor/">' in html
        )
    assert 'hreflang="x-default" href="http://testserver/assets/oginskiai-manor/"' in html
    assert '<link rel="canonical" href="http://testserver/en/assets/oginskiai-manor/">' in html


def test_fallback_text_is_marked_with_its_language(client, world):
    html = client.get("/en/assets/oginskiai-manor/").content.decode()
    # the title exists only in Lithuanian: shown with lang="lt" and a visible marker
    assert '<span lang="lt">Oginskių dvaras</span>' in html
    assert '<small class="fallback-marker" lang="en">(in Lithuanian)</small>' in html
    # in Lithuanian it is no fallback
    html_lt = client.get("/lt/assets/oginskiai-manor/").content.decode()
    assert "<h1>Oginskių dvaras</h1>" in html_lt
    # the description exists only in English: a block fallback on the Lithuanian page
    assert '<div lang="en" class="fallback"><p>Built in 1879.</p>' in html_lt


def test_fallback_follows_the_network_default_language_before_english(client, world):
    from django.core.cache import cache

    manor = world["manor"]
    manor.title = {"lt": "Oginskių dvaras", "en": "Oginski Manor"}
    manor.save()
    html = client.get("/it/assets/oginskiai-manor/").content.decode()
    assert '<span lang="en">Oginski Manor</span>' in html  # network default: en
    network = world["network"]
    network.default_language = "lt"
    network.save()
    cache.clear()
    html = client.get("/it/assets/oginskiai-manor/").content.decode()
    assert '<span lang="lt">Oginskių dvaras</span>' in html


def test_asset_page_shows_gallery_with_rights_credit_and_alt_text(client, world):
    html = client.get("/en/assets/oginskiai-manor/").content.decode()
    assert 'alt="The manor from the park" lang="en"' in html
    assert 'href="http://creativecommons.org/licenses/by/4.0/" rel="license">CC BY 4.0</a>' in html
    assert "Credit: Plungė Library" in html
    assert "https://www.wikidata.org/wiki/Q4353823" in html
    assert "https://www.openstreetmap.org/?mlat=55.956600" in html
    assert "State-protected cultural property" in html
    # lists: the service with its open state, events, nearby assets (the far castle is not)
    assert "Manor tours" in html and "Open now" in html
    assert "Summer concert" in html
    assert "Manor chapel" in html and "Far away castle" not in html


def test_image_srcset_lists_the_renditions(client, world, settings):
    media = world["manor"].media.first()
    media.renditions = {"400": "r/a-400.jpg", "800": "r/a-800.jpg"}
    media.save()
    html = client.get("/en/assets/oginskiai-manor/").content.decode()
    assert 'src="/media/r/a-800.jpg"' in html
    assert 'srcset="/media/r/a-400.jpg 400w, /media/r/a-800.jpg 800w"' in html


def test_asset_jsonld_is_a_landmark_with_geo_and_identifiers(client, world):
    html = client.get("/en/assets/oginskiai-manor/").content.decode()
    (data,) = jsonld_blocks(html)
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "LandmarksOrHistoricalBuildings"
    assert data["name"] == "Oginskių dvaras"
    assert data["geo"] == {"@type": "GeoCoordinates", "latitude": 55.9566, "longitude": 21.8449}
    assert "https://www.wikidata.org/wiki/Q4353823" in data["sameAs"]
    assert data["image"][0]["license"] == "http://creativecommons.org/licenses/by/4.0/"
    assert data["maintainer"]["@type"] == "Museum"


def test_organisation_and_event_jsonld_types(client, world):
    (org,) = jsonld_blocks(client.get("/en/organisations/zemaitija-museum/").content.decode())
    assert org["@type"] == "Museum" and org["name"] == "Samogitian Art Museum"
    (event,) = jsonld_blocks(client.get("/lt/events/summer-concert/").content.decode())
    assert event["@type"] == "Event"
    assert event["name"] == "Vasaros koncertas"
    assert event["startDate"].startswith(str(world["event"].start.year))
    assert event["location"]["@type"] == "Place"
    assert event["location"]["geo"]["latitude"] == 55.9566
    assert event["organizer"]["@type"] == "Museum"
    (community,) = jsonld_blocks(client.get("/en/communities/plunge/").content.decode())
    assert community["@type"] == "Place"
    (network,) = jsonld_blocks(client.get("/en/networks/heco/").content.decode())
    assert network["@type"] == "Organization" and network["member"][0]["@type"] == "Museum"
    (service,) = jsonld_blocks(client.get("/en/services/manor-tours/").content.decode())
    assert service["@type"] == "Service" and service["provider"]["@type"] == "Museum"


def test_jsonld_cannot_be_broken_out_of_by_text(client, world):
    manor = world["manor"]
    manor.title = {"en": "</script><script>alert(1)</script>"}
    manor.save()
    html = client.get("/en/assets/oginskiai-manor/").content.decode()
    assert "<script>alert(1)" not in html
    (data,) = jsonld_blocks(html)
    assert data["name"] == "</script><script>alert(1)</script>"


def test_asset_type_follows_kind(world):
    from heco.site.jsonld import asset_type

    manor = world["manor"]
    for kind, expected in [
        ("monument", "LandmarksOrHistoricalBuildings"),
        ("landscape", "TouristAttraction"),
        ("collection", "Museum"),
        ("intangible", "Place"),
    ]:
        manor.kind = kind
        assert asset_type(manor) == expected


def test_open_graph_tags_describe_the_asset(client, world):
    html = client.get("/en/assets/oginskiai-manor/").content.decode()
    assert meta(html, "og:title") == "Oginskių dvaras"
    assert meta(html, "og:type") == "place"
    assert meta(html, "og:url") == "http://testserver/en/assets/oginskiai-manor/"
    assert meta(html, "og:description") == "A neo-Renaissance manor."
    assert meta(html, "og:image").startswith("http://testserver/media/assets/")
    assert meta(html, "og:image:alt") == "The manor from the park"
    assert meta(html, "og:locale") == "en_GB"
    assert 'property="og:locale:alternate" content="lt_LT"' in html


def test_tombstoned_asset_is_gone(client, world):
    response = client.get("/en/assets/deleted-asset/")
    assert response.status_code == 410
    assert "removed from the catalogue" in response.content.decode()


@pytest.mark.parametrize("slug", ["draft-asset", "withdrawn-asset", "no-such-asset"])
def test_unpublished_or_unknown_asset_is_not_found(client, world, slug):
    assert client.get(f"/en/assets/{slug}/").status_code == 404


def test_unpublished_services_and_events_are_hidden(client, world):
    service, event = world["service"], world["event"]
    service.status, event.status = "draft", "draft"
    service.save()
    event.save()
    assert client.get("/en/services/manor-tours/").status_code == 404
    assert client.get("/en/events/summer-concert/").status_code == 404
    assert "Summer concert" not in client.get("/en/events/").content.decode()
    service.tombstone()
    service.save()
    assert client.get("/en/services/manor-tours/").status_code == 410


def test_drafts_are_not_listed_anywhere(client, indexed):
    for url in [
        "/en/",
        "/en/organisations/zemaitija-museum/",
        "/en/search/",
        "/en/communities/plunge/",
    ]:
        html = client.get(url).content.decode()
        assert "draft-asset" not in html and "deleted-asset" not in html, url


def test_root_redirects_by_accept_language(client, db):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="lt-LT,lt;q=0.9,en;q=0.5")
    assert response.status_code == 302
    assert response["Location"] == "/lt/"
    assert "Accept-Language" in response["Vary"]
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="fr-FR").headers["Location"] == "/en/"
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="nl").headers["Location"] == "/nl/"


def test_home_shows_counts_open_services_events_and_map_data(client, world):
    html = client.get("/en/").content.decode()
    assert "<dt>Heritage assets</dt><dd>3</dd>" in html  # the three published ones
    assert "Manor tours" in html and "Open now" in html
    assert "Summer concert" in html
    data = re.search(r'<script type="application/json" id="home-map-data">(.*?)</script>', html)
    points = json.loads(data.group(1))
    assert {p["url"] for p in points} >= {"/en/assets/oginskiai-manor/"}
    assert 'data-tiles="https://tile.openstreetmap.org/{z}/{x}/{y}.png"' in html


def test_pages_have_no_inline_scripts(client, indexed):
    """The CSP allows only script files from our origin; data blocks are not code."""
    for url in ["/en/", "/en/assets/oginskiai-manor/", "/en/search/?view=map"]:
        html = client.get(url).content.decode()
        for attrs, _body in re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S):
            assert "src=" in attrs or 'type="application/' in attrs, (url, attrs)
        assert not re.search(r"\son[a-z]+=", html), url


def test_organisation_page_lists_assets_paginated(client, world):
    for n in range(30):
        AssetFactory(
            slug=f"extra-{n:02d}", organisation=world["museum"], community=world["community"]
        )
    html = client.get("/en/organisations/zemaitija-museum/").content.decode()
    assert "33 heritage assets" in html
    assert 'rel="next"' in html
    assert client.get("/en/organisations/zemaitija-museum/?page=2").status_code == 200
    assert client.get("/en/organisations/zemaitija-museum/?page=9").status_code == 404
    assert client.get("/en/organisations/zemaitija-museum/?page=abc").status_code == 400


def test_asset_gallery_lists_every_image(client, world):
    add_image(world["manor"], alt_text={"lt": "Parkas"}, credit="")
    html = client.get("/en/assets/oginskiai-manor/").content.decode()
    assert 'alt="Parkas" lang="lt"' in html


def test_open_label_phrases(world):
    import datetime as dt
    from zoneinfo import ZoneInfo

    from heco.site.selectors import ServiceState
    from heco.site.templatetags.heco_site import open_label

    zone = ZoneInfo("Europe/Vilnius")
    today = dt.date(2026, 11, 25)
    closes = dt.datetime(2026, 11, 25, 18, 0, tzinfo=zone)
    opens = dt.datetime(2026, 11, 25, 10, 0, tzinfo=zone)
    with translation.override("en"):
        assert open_label(ServiceState(True, True, closes, today)) == "Open now · closes at 18:00"
        assert open_label(ServiceState(False, True, opens, today)) == "Opens at 10:00"
        tomorrow = opens + dt.timedelta(days=1)
        assert open_label(ServiceState(False, True, tomorrow, today)) == (
            "Closed now · opens tomorrow at 10:00"
        )


def test_service_state_matches_the_opening_hours_at_the_place(world):
    import datetime as dt
    from zoneinfo import ZoneInfo

    from heco.site.selectors import service_state

    service = world["service"]
    service.opening_hours = "Mo-Fr 10:00-18:00"
    vilnius = ZoneInfo("Europe/Vilnius")
    wednesday_noon = dt.datetime(2026, 11, 25, 12, 0, tzinfo=vilnius)
    state = service_state(service, wednesday_noon)
    assert state.is_open and state.next_change == dt.datetime(2026, 11, 25, 18, 0, tzinfo=vilnius)
    early = service_state(service, wednesday_noon.replace(hour=8))
    assert not early.is_open and early.next_change.hour == 10 and early.changes_today
    saturday = service_state(service, dt.datetime(2026, 11, 28, 12, 0, tzinfo=vilnius))
    assert not saturday.is_open and saturday.next_change.date() == dt.date(2026, 11, 30)
    service.opening_hours = "24/7"
    always = service_state(service, wednesday_noon)
    assert always.is_open and always.next_change is None
    service.opening_hours = "not hours at all"
    assert service_state(service, wednesday_noon).known is False


def test_not_found_page_uses_the_site_layout_and_explains(client, world):
    response = client.get("/en/organisations/zemaitija-museum/?page=9")
    assert response.status_code == 404
    html = response.content.decode()
    assert "There is no page 9 of this list." in html
    assert '<main id="main"' in html
