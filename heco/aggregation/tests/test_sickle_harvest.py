"""Done-when of issue 4: Sickle harvests every record from a real running /oai, both formats."""

import pytest
from lxml import etree
from sickle import Sickle
from sickle.oaiexceptions import BadArgument, IdDoesNotExist

from heco.aggregation.crosswalks.edm_rules import europeana_problems
from heco.aggregation.oai.verbs import oai_identifier
from heco.core.models import Status
from heco.testing.factories import AssetFactory, OrganisationFactory

from .conftest import add_image

RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}RDF"


@pytest.fixture
def published(transactional_db):
    org = OrganisationFactory(slug="plunge-library")
    assets = AssetFactory.create_batch(230, organisation=org, title={"lt": "Dvaras", "en": "Manor"})
    add_image(assets[0])
    gone = assets[1]
    gone.tombstone()
    gone.save()
    AssetFactory(status=Status.DRAFT)
    return assets, gone


@pytest.fixture
def sickle(live_server):
    return Sickle(f"{live_server.url}/oai", max_retries=0, timeout=30)


@pytest.mark.parametrize("prefix", ["oai_dc", "edm"])
def test_sickle_harvests_every_record(published, sickle, prefix, edm_schema):
    assets, gone = published
    records = list(sickle.ListRecords(metadataPrefix=prefix, ignore_deleted=False))
    assert len(records) == 230
    assert {r.header.identifier for r in records} == {oai_identifier(a) for a in assets}
    deleted = [r for r in records if r.header.deleted]
    assert [r.header.identifier for r in deleted] == [oai_identifier(gone)]
    live = [r for r in records if not r.header.deleted]
    if prefix == "oai_dc":
        assert all(r.metadata["title"] for r in live)
    else:
        for record in live:
            rdf = record.xml.find(f".//{RDF}")
            edm_schema.assertValid(etree.ElementTree(etree.fromstring(etree.tostring(rdf))))
            assert europeana_problems(rdf) == []


def test_sickle_uses_every_other_verb(published, sickle):
    assets, _gone = published
    assert sickle.Identify().protocolVersion == "2.0"
    assert {f.metadataPrefix for f in sickle.ListMetadataFormats()} == {"oai_dc", "edm"}
    assert "org:plunge-library" in {s.setSpec for s in sickle.ListSets()}
    headers = list(sickle.ListIdentifiers(metadataPrefix="edm", set="org:plunge-library"))
    assert len(headers) == 230
    record = sickle.GetRecord(identifier=oai_identifier(assets[0]), metadataPrefix="edm")
    assert record.header.identifier == oai_identifier(assets[0])
    with pytest.raises(IdDoesNotExist):
        sickle.GetRecord(identifier="oai:127.0.0.1:asset/nothing", metadataPrefix="edm")
    with pytest.raises(BadArgument):
        sickle.ListRecords(metadataPrefix="edm", **{"from": "not-a-date"})


def test_sickle_harvests_over_post(published, live_server):
    sickle = Sickle(f"{live_server.url}/oai", http_method="POST", max_retries=0)
    assert len(list(sickle.ListIdentifiers(metadataPrefix="oai_dc"))) == 230
