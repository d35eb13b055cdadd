"""Detail endpoints: by UUID, public records only, tombstones answer 410."""

import uuid

import pytest

from heco.heritage.models import Media
from heco.testing.factories import ExternalIdentifierFactory, NetworkFactory


def test_asset_detail_has_description_identifiers_and_media(api, catalogue):
    manor = catalogue["manor"]
    manor.description = {"en": "A manor with a park."}
    manor.geometry = {"type": "Point", "coordinates": [21.845, 55.911]}
    manor.save()
    ExternalIdentifierFactory(asset=manor, scheme="wikidata", value="Q123")
    Media.objects.create(
        asset=manor,
        kind="video-link",
        url="https://video.example.org/manor",
        rights="http://creativecommons.org/licenses/by/4.0/",
        alt_text={"en": "The manor"},
    )
    body = api.get(f"/assets/{manor.id}")
    assert body["id"] == str(manor.id)
    assert body["slug"] == "plunge-manor"
    assert body["description"] == {"en": "A manor with a park."}
    assert body["geometry"]["type"] == "Point"
    assert body["identifiers"] == [
        {"scheme": "wikidata", "value": "Q123", "url": "https://www.wikidata.org/wiki/Q123"}
    ]
    assert body["media"][0]["url"] == "https://video.example.org/manor"
    assert body["media"][0]["alt_text"] == {"en": "The manor"}
    assert "title_text" not in body  # resolved texts only with ?lang=


def test_unpublished_asset_is_404(api, catalogue):
    body = api.get(f"/assets/{catalogue['draft'].id}", status=404)
    assert body == {"detail": "Not Found"}


def test_deleted_asset_is_410_with_its_id(api, catalogue):
    gone = catalogue["gone"]
    assert api.get(f"/assets/{gone.id}", status=410) == {"id": str(gone.id), "status": "deleted"}


def test_unknown_id_is_404(api, db):
    api.get(f"/assets/{uuid.uuid4()}", status=404)
    api.get(f"/organisations/{uuid.uuid4()}", status=404)


@pytest.mark.parametrize(
    "endpoint", ["organisations", "communities", "networks", "assets", "services", "events"]
)
def test_an_id_that_is_not_a_uuid_is_a_422_naming_id(api, db, endpoint):
    body = api.get(f"/{endpoint}/not-a-uuid", status=422)
    assert body["detail"][0]["loc"] == ["path", "id"]


def test_service_detail_and_unpublished_service_404(api, programme):
    tour = programme["tour"]
    body = api.get(f"/services/{tour.id}")
    assert body["name"] == {"lt": "Ekskursija", "en": "Manor tour"}
    assert body["organisation"]["slug"] == "plunge-library"
    assert body["opening_hours"] == "Mo-Su 09:00-18:00"
    api.get(f"/services/{programme['draft_service'].id}", status=404)


def test_event_detail_and_unpublished_event_404(api, programme):
    concert = programme["concert"]
    body = api.get(f"/events/{concert.id}")
    assert body["title"] == {"lt": "Koncertas"}
    assert body["asset"]["slug"] == "plunge-manor"
    assert body["venue"]["slug"] == "plunge-library"
    api.get(f"/events/{programme['draft_event'].id}", status=404)


def test_deleted_event_is_410(api, programme):
    concert = programme["concert"]
    concert.tombstone()
    concert.save()
    assert api.get(f"/events/{concert.id}", status=410)["status"] == "deleted"


def test_organisation_community_and_network_details(api, places):
    library = places["library"]
    org = api.get(f"/organisations/{library.id}")
    assert org["community"]["slug"] == "plunge"
    assert org["country"] == "LT"
    community = api.get(f"/communities/{places['piran'].id}")
    assert community["country"] == "SI" and community["default_language"] == "sl"
    net = NetworkFactory(slug="lt-libraries", default_language="lt")
    net.organisations.add(library)
    body = api.get(f"/networks/{net.id}", {"lang": "it"})
    assert [o["slug"] for o in body["organisations"]] == ["plunge-library"]
    assert body["default_language"] == "lt"
