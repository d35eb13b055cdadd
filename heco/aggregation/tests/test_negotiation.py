"""Data URLs (JSON-LD, EDM RDF/XML, Turtle) and content negotiation on the asset URI."""

import json

import pytest
from django.test import RequestFactory
from lxml import etree
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic

from heco.aggregation.crosswalks.edm_rules import europeana_problems
from heco.aggregation.negotiation import negotiate
from heco.aggregation.selectors import with_crosswalk_relations
from heco.core.models import Status
from heco.heritage.models import Asset
from heco.testing.factories import AssetFactory


def test_jsonld_is_schema_org_with_language_tagged_names(client, rich_asset):
    response = client.get(f"/assets/{rich_asset.pk}.jsonld")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/ld+json")
    data = json.loads(response.content)
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "LandmarksOrHistoricalBuildings"
    assert {"@value": "Plungės dvaras", "@language": "lt"} in data["name"]
    assert data["geo"]["latitude"] == pytest.approx(55.9113)
    assert data["sameAs"] == ["http://www.wikidata.org/entity/Q3396735"]
    assert data["image"][0]["license"] == "http://creativecommons.org/licenses/by/4.0/"
    assert data["image"][0]["creditText"] == "Photo: Jonas Test"
    # real JSON-LD: expand offline with the schema.org vocabulary in place of the remote context
    offline = {**data, "@context": {"@vocab": "https://schema.org/"}}
    graph = Graph().parse(data=json.dumps(offline), format="json-ld")
    cho = URIRef(f"http://127.0.0.1:8000/assets/{rich_asset.pk}")
    names = set(graph.objects(cho, URIRef("https://schema.org/name")))
    assert {n.language for n in names} == {"en", "lt", "it"}


def test_rdf_is_a_valid_edm_record(client, rich_asset, edm_schema):
    response = client.get(f"/assets/{rich_asset.pk}.rdf")
    assert response["Content-Type"].startswith("application/rdf+xml")
    root = etree.fromstring(response.content)
    edm_schema.assertValid(etree.ElementTree(root))
    assert europeana_problems(root) == []


def test_turtle_holds_the_same_triples_as_the_rdf(client, rich_asset):
    rdf = client.get(f"/assets/{rich_asset.pk}.rdf").content
    response = client.get(f"/assets/{rich_asset.pk}.ttl")
    assert response["Content-Type"].startswith("text/turtle")
    ttl = Graph().parse(data=response.content, format="turtle")
    assert isomorphic(ttl, Graph().parse(data=rdf, format="xml"))
    cho = URIRef(f"http://127.0.0.1:8000/assets/{rich_asset.pk}")
    assert (cho, None, None) in ttl


@pytest.mark.parametrize(
    "accept, expected",
    [
        ("application/ld+json", "application/ld+json"),
        ("application/rdf+xml", "application/rdf+xml"),
        ("text/turtle", "text/turtle"),
        ("text/html,application/xhtml+xml,*/*;q=0.8", None),
        ("text/turtle;q=0.5, text/html", None),
        ("text/html;q=0.5, text/turtle", "text/turtle"),
        ("*/*", None),
        ("image/png", None),
        (None, None),
    ],
)
def test_negotiate_returns_data_only_when_preferred_to_html(rich_asset, accept, expected):
    headers = {"HTTP_ACCEPT": accept} if accept else {}
    request = RequestFactory().get("/en/assets/plunge-manor/", **headers)
    asset = with_crosswalk_relations(Asset.objects.all()).get(pk=rich_asset.pk)
    response = negotiate(request, asset)
    if expected is None:
        assert response is None
    else:
        assert response["Content-Type"].startswith(expected)
        assert "Accept" in response["Vary"]


def test_asset_uri_redirects_browsers_and_serves_data_to_clients(client, rich_asset):
    browser = client.get(f"/assets/{rich_asset.pk}", HTTP_ACCEPT="text/html")
    assert browser.status_code == 303
    assert browser["Location"] == "http://127.0.0.1:8000/en/assets/plunge-manor/"
    machine = client.get(f"/assets/{rich_asset.pk}", HTTP_ACCEPT="text/turtle")
    assert machine.status_code == 200 and machine["Content-Type"].startswith("text/turtle")


@pytest.mark.parametrize(
    "status, code",
    [(Status.DELETED, 410), (Status.WITHDRAWN, 410), (Status.DRAFT, 404), (Status.REVIEW, 404)],
)
def test_unpublished_assets_have_no_data(db, client, status, code):
    asset = AssetFactory(status=status)
    for suffix in (".jsonld", ".rdf", ".ttl", ""):
        # (Django's LocaleMiddleware turns a 404 on an unprefixed path into a redirect to the
        # /en/ page when one could exist; following it still ends in 404)
        response = client.get(f"/assets/{asset.pk}{suffix}", follow=True)
        assert response.status_code == code
