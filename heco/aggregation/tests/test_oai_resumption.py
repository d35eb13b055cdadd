"""Resumption: keyset pages of 100, stateless signed tokens, correct while records change."""

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from heco.aggregation.oai import tokens
from heco.aggregation.oai.verbs import oai_identifier
from heco.heritage.models import Asset
from heco.testing.factories import AssetFactory, OrganisationFactory

from .conftest import identifiers, token_of


@pytest.fixture
def many(db):
    """250 published assets with distinct, known datestamps (some sharing a second)."""
    org = OrganisationFactory()
    assets = AssetFactory.create_batch(250, organisation=org)
    base = timezone.now() - dt.timedelta(days=10)
    for n, asset in enumerate(assets):
        # pairs share one updated_at, so the id tie-break of the keyset is exercised
        Asset.objects.filter(pk=asset.pk).update(updated_at=base + dt.timedelta(seconds=n // 2))
    return assets


def harvest(oai, verb="ListIdentifiers", **params):
    """Follow resumption tokens to the end; return (pages, identifiers in order)."""
    pages, seen = [], []
    root = oai(verb=verb, **params)
    while True:
        pages.append(root)
        seen += identifiers(root)
        token = token_of(root)
        if token is None or not token.text:
            return pages, seen
        root = oai(verb=verb, resumptionToken=token.text)


@pytest.mark.parametrize("prefix", ["oai_dc", "edm"])
def test_250_records_come_in_three_pages_with_size_and_cursor(many, oai, prefix):
    pages, seen = harvest(oai, "ListRecords", metadataPrefix=prefix)
    assert len(pages) == 3
    assert [len(identifiers(p)) for p in pages] == [100, 100, 50]
    assert sorted(seen) == sorted(oai_identifier(a) for a in many)
    assert len(set(seen)) == 250
    for n, page in enumerate(pages):
        token = token_of(page)
        assert token.get("completeListSize") == "250"
        assert token.get("cursor") == str(n * 100)
    assert token_of(pages[-1]).text is None  # the last page carries an empty token


def test_a_token_survives_a_restart(many, oai):
    first = oai(verb="ListIdentifiers", metadataPrefix="edm")
    token = token_of(first).text
    # "restart": a new client, a new request, no server-side state to lose
    response = Client().get("/oai", {"verb": "ListIdentifiers", "resumptionToken": token})
    second = oai(verb="ListIdentifiers", resumptionToken=token)
    assert response.content.count(b"<header>") == 100
    assert set(identifiers(second)).isdisjoint(identifiers(first))
    state = tokens.decode(token)
    assert state.cursor == 100 and state.metadata_prefix == "edm"


def test_a_tampered_token_is_refused(many, oai):
    token = token_of(oai(verb="ListIdentifiers", metadataPrefix="edm")).text
    forged = tokens.encode(tokens.ListState("edm", None, None, None, cursor=5))[:-2] + "xx"
    for bad in (token[:-1] + ("A" if token[-1] != "A" else "B"), forged):
        root = oai(verb="ListIdentifiers", resumptionToken=bad)
        assert root.find("{http://www.openarchives.org/OAI/2.0/}error").get("code") == (
            "badResumptionToken"
        )


def test_records_changing_between_pages_cause_no_skips_or_duplicates(many, oai):
    order = sorted(many, key=lambda a: (Asset.objects.get(pk=a.pk).updated_at, a.pk))
    root = oai(verb="ListIdentifiers", metadataPrefix="edm")
    first_page = identifiers(root)
    assert first_page == [oai_identifier(a) for a in order[:100]]

    # between pages: edit a record already sent, one not yet sent, add one, delete one unsent
    seen_changed, unseen_changed, unseen_deleted = order[10], order[150], order[200]
    for asset in (seen_changed, unseen_changed):
        asset.refresh_from_db()
        asset.title = {"en": "Changed"}
        asset.save()
    unseen_deleted.refresh_from_db()
    unseen_deleted.tombstone()
    unseen_deleted.save()
    added = AssetFactory()

    rest = []
    token = token_of(root).text
    while token:
        page = oai(verb="ListIdentifiers", resumptionToken=token)
        rest += identifiers(page)
        token = token_of(page).text
    seen = first_page + rest
    changed = {oai_identifier(a) for a in (seen_changed, unseen_changed, unseen_deleted, added)}
    unchanged = [i for i in seen if i not in changed]
    # every record that did not change is sent exactly once: no skips, no duplicates
    assert sorted(unchanged) == sorted({oai_identifier(a) for a in many} - changed)
    # changed records are never lost; each comes (again) with its new datestamp at the end
    assert rest[-4:].count(oai_identifier(seen_changed)) == 1
    for asset in (unseen_changed, unseen_deleted, added):
        assert seen.count(oai_identifier(asset)) == 1


def test_pages_use_keyset_not_offset(many, client):
    response = client.get("/oai", {"verb": "ListIdentifiers", "metadataPrefix": "edm"})
    token = response.content.split(b'cursor="0">')[1].split(b"<")[0].decode()
    with CaptureQueriesContext(connection) as queries:
        client.get("/oai", {"verb": "ListIdentifiers", "resumptionToken": token})
    sql = " ".join(q["sql"].upper() for q in queries.captured_queries)
    assert "OFFSET" not in sql
    assert len(queries.captured_queries) <= 3


def test_filters_travel_inside_the_token(many, oai):
    other = AssetFactory.create_batch(5)  # another organisation, outside the set
    spec = f"org:{many[0].organisation.slug}"
    pages, seen = harvest(oai, metadataPrefix="oai_dc", set=spec)
    assert len(seen) == 250 and not {oai_identifier(a) for a in other} & set(seen)
    assert len(pages) == 3


def test_complete_list_size_follows_records_added_during_the_harvest(many, oai):
    first = oai(verb="ListIdentifiers", metadataPrefix="oai_dc")
    assert token_of(first).get("completeListSize") == "250"
    AssetFactory()  # a save anywhere in the catalogue changes its version: recounted
    second = oai(verb="ListIdentifiers", resumptionToken=token_of(first).text)
    assert token_of(second).get("completeListSize") == "251"


def page_plan(state) -> str:
    """The plan of the page query. SQLite plans without statistics, deterministically. On
    PostgreSQL the choice depends on statistics (tables this small are best read whole; the
    benchmark shows the plan at 100,000 assets), so the test forbids sequential scans, bitmap
    scans and sorts and checks which index then delivers the page in order."""
    from heco.aggregation.oai.verbs import page_queryset

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for setting in (
                "enable_seqscan",
                "enable_bitmapscan",
                "enable_sort",
                "enable_incremental_sort",
            ):
                cursor.execute(f"SET LOCAL {setting} = off")
    return page_queryset(state).explain()


def key_of(asset) -> tuple:
    asset.refresh_from_db()  # the fixture moved updated_at with update()
    return asset.updated_at, asset.pk


@pytest.mark.parametrize("spec", [None, "org", "kind:building"])
def test_a_page_is_read_along_the_keyset_index_without_sorting(many, spec):
    """A range of asset_oai_keyset from the token's key, in index order: no sort of every
    exposed asset, even without statistics (no ANALYZE) that tell the status index is useless."""
    plan = page_plan(tokens.ListState("edm", spec, None, None, *key_of(many[120]), 100))
    if connection.vendor == "sqlite":
        assert "USING INDEX asset_oai_keyset (updated_at>?)" in plan
        assert "TEMP B-TREE" not in plan
    else:
        assert "Index Scan using asset_oai_keyset" in plan
        assert "Index Cond: (updated_at >= " in plan
        assert "Sort" not in plan


def test_an_organisation_set_is_read_along_its_own_keyset_index(many):
    spec = f"org:{many[120].organisation.slug}"
    plan = page_plan(tokens.ListState("edm", spec, None, None, *key_of(many[120]), 100))
    if connection.vendor == "sqlite":
        assert "USING INDEX asset_oai_org_keyset (organisation_id=? AND updated_at>?)" in plan
        assert "network_organisation" not in plan  # the set's organisation is a constant
        assert "TEMP B-TREE" not in plan
    else:
        assert "Index Scan using asset_oai_org_keyset" in plan
        assert "Sort" not in plan
