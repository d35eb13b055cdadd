"""Unusual but storable catalogue data still gives valid linked data and IIIF: Turtle that
rdflib reads, EDM that meets Europeana's rules, manifests valid against the IIIF schema."""

import json

import pytest
from django.db import connection
from rdflib import Graph, URIRef
from rdflib.namespace import OWL

from heco.aggregation.crosswalks.edm_rules import europeana_problems
from heco.aggregation.crosswalks.namespaces import DC, EDM, RDF, q
from heco.aggregation.oai.verbs import oai_identifier
from heco.core.rights import COPYRIGHT_NOT_EVALUATED
from heco.heritage.models import Asset, Media
from heco.network.models import Organisation
from heco.testing.factories import AssetFactory, ExternalIdentifierFactory

from .conftest import add_image

sqlite_only = pytest.mark.skipif(
    connection.vendor != "sqlite",
    reason="PostgreSQL's jsonb refuses lone surrogates; only SQLite can store them",
)


def turtle_graph(client, asset) -> Graph:
    response = client.get(f"/assets/{asset.pk}", HTTP_ACCEPT="text/turtle")
    assert response.status_code == 200, response.content[:300]
    return Graph().parse(data=response.content, format="turtle")


def edm_record(oai, asset):
    root = oai(verb="GetRecord", metadataPrefix="edm", identifier=oai_identifier(asset))
    return root.find(f".//{q(RDF, 'RDF')}")


def test_video_link_with_characters_rdf_refuses_gives_valid_rdf(db, client, oai):
    asset = AssetFactory()
    # Django's URLValidator accepts { } | ^ ` in a link; an IRI may not hold them
    Media.objects.create(
        asset=asset,
        kind=Media.Kind.VIDEO_LINK,
        url="https://vimeo.com/76979871?h={hash}|x^y`z",
        rights=COPYRIGHT_NOT_EVALUATED,
    )
    encoded = "https://vimeo.com/76979871?h=%7Bhash%7D%7Cx%5Ey%60z"

    rdf = edm_record(oai, asset)
    assert rdf.find(q(EDM, "WebResource")).get(q(RDF, "about")) == encoded
    assert europeana_problems(rdf) == []
    graph = turtle_graph(client, asset)
    assert (URIRef(encoded), None, None) in graph
    Graph().parse(data=client.get(f"/assets/{asset.pk}.rdf").content, format="xml")


def test_wikidata_identifier_with_odd_characters_gives_valid_turtle(db, client, oai):
    asset = AssetFactory()
    ExternalIdentifierFactory(asset=asset, scheme="wikidata", value='Q 42"')

    edm_record(oai, asset)
    graph = turtle_graph(client, asset)
    same_as = list(graph.objects(None, OWL.sameAs))
    assert same_as == [URIRef("http://www.wikidata.org/entity/Q%2042%22")]


@sqlite_only
def test_lone_surrogate_in_tags_gives_json_ld_not_a_server_error(db, client):
    asset = AssetFactory()
    Asset.objects.filter(pk=asset.pk).update(tags=["broken\ud800tag", "a&b<c"])

    response = client.get(f"/assets/{asset.pk}", HTTP_ACCEPT="application/ld+json")

    assert response.status_code == 200
    assert json.loads(response.content)["keywords"] == ["broken?tag", "a&b<c"]
    turtle_graph(client, asset)


def test_title_without_usable_text_still_meets_europeana_rules(db, oai):
    asset = AssetFactory(slug="old-mill")
    # control characters only (an import could store them), and no summary or description
    Asset.objects.filter(pk=asset.pk).update(title={"en": "\x01\x02 "}, summary={}, description={})

    rdf = edm_record(oai, asset)

    assert europeana_problems(rdf) == []
    titles = rdf.find(q(EDM, "ProvidedCHO")).findall(q(DC, "title"))
    assert [el.text for el in titles] == ["old-mill"]


def _iiif(client, url, validator) -> dict:
    response = client.get(url)
    assert response.status_code == 200
    data = response.json()
    errors = list(validator.iter_errors(data))
    assert not errors, [e.message[:300] for e in errors]
    return data


def test_iiif_language_maps_with_digit_subtags_are_valid(db, client, iiif_validator):
    # es-419 (Latin American Spanish) and de-1996 are valid BCP 47 tags the model accepts,
    # but the IIIF schema takes only letters and hyphens as language-map keys
    asset = AssetFactory(title={"es-419": "Casa colonial", "de-1996": "Kolonialhaus"})
    Organisation.objects.filter(pk=asset.organisation_id).update(name={"es-419": "Museo"})
    add_image(asset, caption={"es-419": "Fachada", "es": "Fachada (es)"})

    manifest = _iiif(client, f"/iiif/{asset.pk}/manifest", iiif_validator)
    _iiif(client, "/iiif/collection", iiif_validator)
    _iiif(client, f"/iiif/collection/{asset.organisation.slug}", iiif_validator)

    assert manifest["label"] == {"de": ["Kolonialhaus"], "es": ["Casa colonial"]}
    assert manifest["provider"][0]["label"] == {"es": ["Museo"]}
    assert manifest["items"][0]["label"] == {"es": ["Fachada (es)"]}


def test_iiif_organisation_with_an_ftp_website_gets_no_homepage(db, client, iiif_validator):
    asset = AssetFactory()
    # an ftp:// address passes Django's URL validation; IIIF ids must be http(s)
    Organisation.objects.filter(pk=asset.organisation_id).update(
        website="ftp://archive.example.org/"
    )
    add_image(asset)

    manifest = _iiif(client, f"/iiif/{asset.pk}/manifest", iiif_validator)

    assert "homepage" not in manifest["provider"][0]
