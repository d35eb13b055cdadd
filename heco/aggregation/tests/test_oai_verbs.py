"""Each OAI-PMH verb, over GET and POST, in both formats, validated against the schemas."""

import pytest

from heco.aggregation.crosswalks.edm_rules import europeana_problems
from heco.aggregation.oai.verbs import oai_identifier
from heco.testing.factories import AssetFactory

from .conftest import OAI_NS, error_code, identifiers, token_of

RDF_RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}RDF"


def test_identify_describes_the_repository(db, oai, rich_asset, network):
    root = oai(verb="Identify")
    ident = root.find("o:Identify", OAI_NS)
    assert ident.findtext("o:repositoryName", namespaces=OAI_NS) == network.name["en"]
    assert ident.findtext("o:baseURL", namespaces=OAI_NS) == "http://testserver/oai"
    assert ident.findtext("o:protocolVersion", namespaces=OAI_NS) == "2.0"
    assert ident.findtext("o:deletedRecord", namespaces=OAI_NS) == "persistent"
    assert ident.findtext("o:granularity", namespaces=OAI_NS) == "YYYY-MM-DDThh:mm:ssZ"
    assert ident.findtext("o:earliestDatestamp", namespaces=OAI_NS).endswith("Z")


def test_identify_describes_oai_identifiers_when_the_host_is_a_domain(db, oai, settings):
    settings.SITE_URL = "https://hub.heco.example"
    root = oai(verb="Identify")
    sample = root.find(".//{http://www.openarchives.org/OAI/2.0/oai-identifier}sampleIdentifier")
    assert sample.text.startswith("oai:hub.heco.example:asset/")


def test_list_metadata_formats_offers_oai_dc_and_edm(db, oai, rich_asset):
    for params in ({}, {"identifier": oai_identifier(rich_asset)}):
        root = oai(verb="ListMetadataFormats", **params)
        prefixes = root.xpath("//o:metadataPrefix/text()", namespaces=OAI_NS)
        assert prefixes == ["oai_dc", "edm"]


def test_list_sets_names_organisations_communities_countries_and_kinds(db, oai, rich_asset):
    root = oai(verb="ListSets")
    specs = root.xpath("//o:setSpec/text()", namespaces=OAI_NS)
    assert {"org", "community", "country", "kind"} <= set(specs)
    assert "org:plunge-library" in specs
    assert f"community:{rich_asset.community.slug}" in specs
    assert "country:LT" in specs
    assert "kind:building" in specs


@pytest.mark.parametrize("prefix", ["oai_dc", "edm"])
def test_get_record_in_each_format(db, oai, rich_asset, prefix):
    root = oai(verb="GetRecord", identifier=oai_identifier(rich_asset), metadataPrefix=prefix)
    header = root.find(".//o:header", OAI_NS)
    assert header.findtext("o:identifier", namespaces=OAI_NS) == oai_identifier(rich_asset)
    assert header.get("status") is None
    assert "org:plunge-library" in header.xpath("o:setSpec/text()", namespaces=OAI_NS)
    metadata = root.find(".//o:metadata", OAI_NS)
    assert len(metadata) == 1
    if prefix == "edm":
        assert europeana_problems(metadata[0]) == []


@pytest.mark.parametrize("prefix", ["oai_dc", "edm"])
@pytest.mark.parametrize("verb", ["ListRecords", "ListIdentifiers"])
def test_lists_return_every_published_asset(db, oai, rich_asset, verb, prefix):
    others = AssetFactory.create_batch(3, organisation=rich_asset.organisation)
    AssetFactory(status="draft")
    root = oai(verb=verb, metadataPrefix=prefix)
    expected = {oai_identifier(a) for a in [rich_asset, *others]}
    assert set(identifiers(root)) == expected
    assert token_of(root) is None  # one page, no resumption
    if verb == "ListRecords":
        assert len(root.findall(".//o:metadata", OAI_NS)) == 4
    else:
        assert root.find(".//o:metadata", OAI_NS) is None


def test_every_edm_record_in_a_list_meets_europeana_rules(db, oai, rich_asset):
    AssetFactory.create_batch(3, kind="document")
    root = oai(verb="ListRecords", metadataPrefix="edm")
    records = list(root.iter(RDF_RDF))
    assert len(records) == 4
    for rdf in records:
        assert europeana_problems(rdf) == []


def test_post_is_accepted_like_get(db, oai, rich_asset):
    root = oai("post", verb="ListIdentifiers", metadataPrefix="edm")
    assert identifiers(root) == [oai_identifier(rich_asset)]
    assert error_code(oai("post", verb="Nonsense")) == "badVerb"


def test_a_page_of_records_costs_a_fixed_number_of_queries(
    db, client, rich_asset, django_assert_max_num_queries
):
    AssetFactory.create_batch(30, organisation=rich_asset.organisation)
    with django_assert_max_num_queries(7):
        response = client.get("/oai", {"verb": "ListRecords", "metadataPrefix": "edm"})
    assert response.content.count(b"<record>") == 31


def test_other_http_methods_are_refused(db, client):
    assert client.put("/oai").status_code == 405
