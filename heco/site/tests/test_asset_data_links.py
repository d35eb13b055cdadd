"""The asset page answers linked-data clients and shows where a harvested record came from."""

import json

import pytest
from django.utils import timezone

from heco.harvest.models import Source, SourceRecord
from heco.testing.factories import AssetFactory

pytestmark = pytest.mark.django_db


def test_asset_page_serves_json_ld_when_the_client_asks_for_it(client):
    asset = AssetFactory(slug="plunge-manor", title={"en": "Plungė Manor"})
    response = client.get(f"/en/assets/{asset.slug}/", HTTP_ACCEPT="application/ld+json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/ld+json")
    assert "Plungė Manor" in json.dumps(json.loads(response.content), ensure_ascii=False)


def test_asset_page_is_html_for_browsers_and_varies_on_accept(client):
    asset = AssetFactory()
    response = client.get(f"/en/assets/{asset.slug}/", HTTP_ACCEPT="text/html,*/*;q=0.8")
    assert response["Content-Type"].startswith("text/html")
    assert "Accept" in response["Vary"]
    assert f"/assets/{asset.id}.rdf" in response.content.decode()


def test_asset_page_says_who_provided_a_harvested_record(client):
    asset = AssetFactory()
    source = Source.objects.create(
        kind="oai-pmh",
        url="http://register.example/oai",
        organisation=asset.organisation,
        aggregator="Regional Portal",
    )
    SourceRecord.objects.create(
        source=source, identifier="oai:register:1", asset=asset, fetched_at=timezone.now()
    )
    body = client.get(f"/en/assets/{asset.slug}/").content.decode()
    assert "Provided by" in body and "Regional Portal" in body
