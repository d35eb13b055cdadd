"""Sets, from/until at seconds and day granularity, deleted and withdrawn records."""

import datetime as dt

import pytest

from heco.aggregation.oai.verbs import oai_identifier
from heco.core.models import Status
from heco.heritage.models import Asset
from heco.testing.factories import AssetFactory, CommunityFactory, OrganisationFactory

from .conftest import OAI_NS, error_code, identifiers

UTC = dt.UTC


def stamp(asset, when):
    Asset.objects.filter(pk=asset.pk).update(updated_at=when)


@pytest.fixture
def spread(db):
    """Assets in two countries, two kinds, with datestamps on 1-3 March 2024."""
    slovenia = CommunityFactory(slug="piran", country="SI")
    piran = OrganisationFactory(slug="piran-museum", community=slovenia)
    a = AssetFactory(slug="a", kind="building")
    b = AssetFactory(slug="b", kind="monument", organisation=piran)
    c = AssetFactory(slug="c", kind="building", organisation=piran)
    stamp(a, dt.datetime(2024, 3, 1, 10, 0, 0, 400000, tzinfo=UTC))
    stamp(b, dt.datetime(2024, 3, 2, 12, 30, 15, tzinfo=UTC))
    stamp(c, dt.datetime(2024, 3, 3, 23, 59, 59, 999999, tzinfo=UTC))
    return a, b, c


def ids(*assets):
    return sorted(oai_identifier(x) for x in assets)


def listed(oai, **params):
    return sorted(identifiers(oai(verb="ListIdentifiers", metadataPrefix="edm", **params)))


def test_sets_select_by_organisation_community_country_and_kind(spread, oai):
    a, b, c = spread
    assert listed(oai, set="org:piran-museum") == ids(b, c)
    assert listed(oai, set=f"community:{a.community.slug}") == ids(a)
    assert listed(oai, set="country:SI") == ids(b, c)
    assert listed(oai, set="country:lt") == ids(a)
    assert listed(oai, set="kind:building") == ids(a, c)
    assert listed(oai, set="kind") == ids(a, b, c)


def test_headers_name_the_sets_of_each_record(spread, oai):
    root = oai(verb="GetRecord", metadataPrefix="oai_dc", identifier=oai_identifier(spread[1]))
    specs = root.xpath("//o:header/o:setSpec/text()", namespaces=OAI_NS)
    assert specs == ["org:piran-museum", "community:piran", "country:SI", "kind:monument"]


def test_datestamps_are_utc_seconds(spread, oai):
    root = oai(verb="GetRecord", metadataPrefix="edm", identifier=oai_identifier(spread[0]))
    assert root.findtext(".//o:datestamp", namespaces=OAI_NS) == "2024-03-01T10:00:00Z"


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"from": "2024-03-02"}, "bc"),
        ({"until": "2024-03-02"}, "ab"),  # a whole day, inclusive
        ({"from": "2024-03-02", "until": "2024-03-02"}, "b"),
        ({"from": "2024-03-01T10:00:00Z"}, "abc"),  # 10:00:00.4 is within second 10:00:00
        ({"from": "2024-03-01T10:00:01Z"}, "bc"),
        ({"until": "2024-03-01T10:00:00Z"}, "a"),  # inclusive at seconds granularity
        ({"until": "2024-03-01T09:59:59Z"}, ""),
        ({"from": "2024-03-02T12:30:15Z", "until": "2024-03-02T12:30:15Z"}, "b"),
        ({"from": "2024-03-03T23:59:59Z", "until": "2024-03-03T23:59:59Z"}, "c"),
        ({"from": "2024-03-01T00:00:00Z", "until": "2024-03-03T00:00:00Z"}, "ab"),
    ],
)
def test_from_and_until(spread, oai, params, expected):
    by_slug = {x.slug: x for x in spread}
    root = oai(verb="ListIdentifiers", metadataPrefix="edm", **params)
    if not expected:
        assert error_code(root) == "noRecordsMatch"
    else:
        assert sorted(identifiers(root)) == ids(*(by_slug[s] for s in expected))


def test_mixed_granularities_are_a_bad_argument(spread, oai):
    root = oai(
        verb="ListRecords",
        metadataPrefix="edm",
        **{"from": "2024-03-01"},
        until="2024-03-02T00:00:00Z",
    )
    assert error_code(root) == "badArgument"


def test_deleted_records_are_reported_with_a_deleted_header(spread, oai):
    a = spread[0]
    a.tombstone()
    a.save()
    for prefix in ("oai_dc", "edm"):
        root = oai(verb="ListRecords", metadataPrefix=prefix)
        records = root.findall(".//o:record", OAI_NS)
        assert len(records) == 3
        deleted = [r for r in records if r.find("o:header", OAI_NS).get("status") == "deleted"]
        assert len(deleted) == 1
        assert deleted[0].findtext(".//o:identifier", namespaces=OAI_NS) == oai_identifier(a)
        assert deleted[0].find("o:metadata", OAI_NS) is None
        record = oai(verb="GetRecord", metadataPrefix=prefix, identifier=oai_identifier(a))
        assert record.find(".//o:header", OAI_NS).get("status") == "deleted"
    # the deletion moved its datestamp: an incremental harvest learns of it
    root = oai(verb="ListIdentifiers", metadataPrefix="edm", **{"from": "2024-04-01"})
    assert identifiers(root) == [oai_identifier(a)]


def test_withdrawn_is_reported_as_deleted_and_drafts_are_not_exposed(spread, oai):
    a, b, c = spread
    a.status = Status.WITHDRAWN
    a.save()
    AssetFactory(status=Status.DRAFT, published_at=None)
    AssetFactory(status=Status.REVIEW, published_at=None)
    never_published = AssetFactory(status=Status.DELETED, published_at=None)
    root = oai(verb="ListIdentifiers", metadataPrefix="edm")
    headers = {
        h.findtext("o:identifier", namespaces=OAI_NS): h.get("status")
        for h in root.findall(".//o:header", OAI_NS)
    }
    assert headers == {
        oai_identifier(a): "deleted",
        oai_identifier(b): None,
        oai_identifier(c): None,
    }
    assert oai_identifier(never_published) not in headers
