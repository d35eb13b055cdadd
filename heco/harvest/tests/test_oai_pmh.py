"""Harvesting OAI-PMH from a fake remote that replays recorded responses."""

import time

import pytest

from heco.core.models import Status
from heco.core.rights import COPYRIGHT_NOT_EVALUATED
from heco.harvest import services
from heco.harvest.models import DuplicateCandidate, HarvestRun, SourceRecord
from heco.harvest.provenance import provenance_for
from heco.harvest.services import source_add, source_harvest
from heco.heritage.models import Asset, ExternalIdentifier
from heco.testing.factories import AssetFactory, ExternalIdentifierFactory

from .conftest import DC_LIST, FIXTURES

pytestmark = pytest.mark.django_db


def add_source(remote, provider, prefix="oai_dc", **kwargs):
    return source_add(
        kind="oai-pmh",
        url=remote.url,
        organisation=provider,
        metadata_prefix=prefix,
        **kwargs,
    )


def asset_of(source, identifier):
    return SourceRecord.objects.get(source=source, identifier=identifier).asset


def test_a_list_of_three_pages_goes_in_with_bad_records_reported(remote, provider):
    remote.routes.update(DC_LIST)
    source = add_source(remote, provider)
    run = source_harvest(source=source)

    assert run.status == HarvestRun.Status.COMPLETED
    assert (run.fetched, run.created, run.failed) == (6, 4, 2)
    reasons = {e["identifier"]: e["reason"] for e in run.errors}
    assert reasons["oai:kvr.example.lt:3"] == "no title"
    assert reasons["oai:kvr.example.lt:4"].startswith("coordinates out of range")
    manor = asset_of(source, "oai:kvr.example.lt:1")
    assert manor.status == Status.PUBLISHED and not manor.is_demo
    assert manor.organisation == provider and manor.community == provider.community
    assert manor.title == {"lt": "Plungės dvaro rūmai", "en": "Plungė Manor Palace"}
    assert (manor.lat, manor.lon) == (55.9116, 21.8447)
    assert (manor.dating, manor.start_year, manor.end_year) == ("1879", 1879, 1879)
    assert manor.kind == Asset.Kind.BUILDING
    assert manor.tags == ["architecture", "manor"]
    assert set(manor.identifiers.values_list("scheme", "value")) == {
        ("wikidata", "Q3397395"),
        ("lt-kvr", "1234"),
    }
    record = SourceRecord.objects.get(source=source, identifier="oai:kvr.example.lt:1")
    assert record.harvested["extras"]["rights"] == "http://creativecommons.org/licenses/by/4.0/"
    assert record.harvested["extras"]["language"] == ["lt"]
    assert "<dc:title" in record.raw and record.content_hash
    assert not record.needs_review
    assert source.runs.count() == 1
    source.refresh_from_db()
    assert source.last_success_at == run.started_at and source.checkpoint == {}


def test_language_codes_are_normalised_to_bcp47(remote, provider):
    remote.routes.update(DC_LIST)
    source = add_source(remote, provider)
    source_harvest(source=source)
    park = asset_of(source, "oai:kvr.example.lt:5")
    assert park.title == {"fr": "Parc du manoir de Plungė"}
    assert (park.start_year, park.end_year) == (1850, 1900)
    # untagged text takes the community's default language
    church = asset_of(source, "oai:kvr.example.lt:2")
    assert church.title == {"lt": "Žemaičių Kalvarijos bažnyčia"}
    assert SourceRecord.objects.get(identifier="oai:kvr.example.lt:2").harvested["extras"][
        "language"
    ] == ["en"]


def test_rights_missing_or_off_the_list_come_in_as_cne_flagged_with_the_original_kept(
    remote, provider
):
    remote.routes.update(DC_LIST)
    source = add_source(remote, provider)
    source_harvest(source=source)
    church = SourceRecord.objects.get(identifier="oai:kvr.example.lt:2")
    assert church.asset is not None
    assert church.harvested["extras"]["rights"] == COPYRIGHT_NOT_EVALUATED
    assert church.harvested["extras"]["rights_original"] == "All rights reserved"
    assert church.needs_review and "rights not on the list" in church.review_reasons[0]
    park = SourceRecord.objects.get(identifier="oai:kvr.example.lt:5")
    assert park.needs_review and park.review_reasons == ["rights missing"]


def test_a_second_run_is_incremental_and_passes_changes_and_deletions_on(remote, provider):
    remote.routes.update(DC_LIST)
    remote.routes["ListRecords+from"] = "dc_update.xml"
    source = add_source(remote, provider)
    first = source_harvest(source=source)
    second = source_harvest(source=source)

    assert second.status == HarvestRun.Status.COMPLETED
    incremental = [r for r in remote.requests if r.get("from")]
    assert incremental and incremental[0]["from"] == first.started_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert (second.fetched, second.created, second.updated, second.deleted) == (2, 0, 1, 1)
    manor = asset_of(source, "oai:kvr.example.lt:1")
    assert manor.title["en"] == "Plunge Manor (Oginskis Palace)"
    assert manor.description == {"lt": "Atnaujintas aprašymas."}
    assert manor.tags == []  # the source stopped sending subjects
    church = asset_of(source, "oai:kvr.example.lt:2")
    assert church.status == Status.DELETED and church.deleted_at is not None
    assert SourceRecord.objects.get(identifier="oai:kvr.example.lt:2").deleted


def test_a_full_rerun_creates_no_duplicates(remote, provider):
    remote.routes.update(DC_LIST)
    source = add_source(remote, provider)
    source_harvest(source=source)
    again = source_harvest(source=source, full=True)
    assert not any(r.get("from") for r in remote.requests)
    assert again.status == HarvestRun.Status.COMPLETED
    assert (again.created, again.updated, again.failed) == (0, 0, 2)
    assert Asset.objects.count() == 4
    assert SourceRecord.objects.filter(source=source).count() == 4


def test_a_local_edit_survives_a_reharvest_and_the_conflict_is_recorded(remote, provider):
    remote.routes.update(DC_LIST)
    remote.routes["ListRecords+from"] = "dc_update.xml"
    source = add_source(remote, provider)
    source_harvest(source=source)
    manor = asset_of(source, "oai:kvr.example.lt:1")
    manor.title = {**manor.title, "en": "Plungė Manor (edited by the library)"}
    manor.save()

    run = source_harvest(source=source)

    manor.refresh_from_db()
    assert manor.title["en"] == "Plungė Manor (edited by the library)"
    assert manor.description == {"lt": "Atnaujintas aprašymas."}  # not edited: updated
    record = SourceRecord.objects.get(identifier="oai:kvr.example.lt:1")
    assert record.conflicts["title"]["en"] == "Plunge Manor (Oginskis Palace)"
    assert record.harvested["fields"]["title"]["en"] == "Plunge Manor (Oginskis Palace)"
    assert run.conflicts == 1


def test_a_malformed_page_is_retried_then_the_run_is_partial_and_the_next_resumes(remote, provider):
    remote.routes.update(DC_LIST)
    remote.routes["dc-2"] = ["malformed.xml", "malformed.xml", "malformed.xml", "dc_page2.xml"]
    source = add_source(remote, provider)

    first = source_harvest(source=source)

    assert first.status == HarvestRun.Status.PARTIAL
    assert remote.served["dc-2"] == 3  # three tries
    assert "malformed XML page" in first.errors[-1]["reason"]
    assert first.created == 2
    source.refresh_from_db()
    assert source.checkpoint["token"] == "dc-2" and source.last_success_at is None

    second = source_harvest(source=source)

    assert second.status == HarvestRun.Status.COMPLETED
    assert remote.served["ListRecords"] == 1  # resumed at the token, not from the start
    assert (second.fetched, second.created) == (3, 2)
    assert Asset.objects.count() == 4
    source.refresh_from_db()
    assert source.last_success_at == first.started_at  # the list began with the first run


def test_http_errors_are_retried(remote, provider):
    remote.routes.update(DC_LIST)
    remote.routes["dc-3"] = [503, "dc_page3.xml"]
    run = source_harvest(source=add_source(remote, provider))
    assert run.status == HarvestRun.Status.COMPLETED and run.created == 4


def cut_short(handler):
    """Promises the whole page, sends a third of it, and hangs up."""
    body = (FIXTURES / "dc_page3.xml").read_bytes()
    handler.send_response(200)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body[: len(body) // 3])
    handler.close_connection = True


def dripping(handler):
    """Sends the page a few bytes at a time, never waiting long enough for a read to time
    out, for longer than a whole response may take."""
    body = (FIXTURES / "dc_page3.xml").read_bytes()
    handler.send_response(200)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    started = time.monotonic()
    try:
        for start in range(0, len(body), 8):
            handler.wfile.write(body[start : start + 8])
            handler.wfile.flush()
            if time.monotonic() - started > 3:
                break
            time.sleep(0.05)
    except OSError:
        pass  # the harvester gave up and closed the connection
    handler.close_connection = True


def test_a_transfer_cut_short_is_retried_never_taken_as_the_page(remote, provider):
    remote.routes.update(DC_LIST)
    remote.routes["dc-3"] = [cut_short, "dc_page3.xml"]
    run = source_harvest(source=add_source(remote, provider))
    assert remote.served["dc-3"] == 2
    assert run.status == HarvestRun.Status.COMPLETED and run.created == 4


def test_a_page_that_never_finishes_arriving_ends_the_run_partial(remote, provider, settings):
    settings.HECO_HARVEST_TIMEOUT = 0.2  # each wait for bytes; the whole page: 5 x 0.2 s
    settings.HECO_HARVEST_RETRIES = 1
    remote.routes.update(DC_LIST)
    remote.routes["dc-3"] = [dripping, "dc_page3.xml"]
    source = add_source(remote, provider)

    first = source_harvest(source=source)

    assert first.status == HarvestRun.Status.PARTIAL
    assert "not complete after 1 s" in first.errors[-1]["reason"]
    source.refresh_from_db()
    assert source.checkpoint["token"] == "dc-3"
    second = source_harvest(source=source)
    assert second.status == HarvestRun.Status.COMPLETED
    assert Asset.objects.count() == 4


def test_a_response_larger_than_the_limit_is_not_read_to_the_end(remote, provider, settings):
    settings.HECO_HARVEST_MAX_BYTES = 2_000  # pages 2 and 3 fit, page 1 (2,424 bytes) does not
    remote.routes.update(DC_LIST)
    run = source_harvest(source=add_source(remote, provider))
    assert run.status == HarvestRun.Status.PARTIAL and run.fetched == 0
    assert "larger than 2,000 bytes (HECO_HARVEST_MAX_MB)" in run.errors[-1]["reason"]


def test_an_interrupted_run_resumes_at_the_checkpoint_without_duplicates(
    remote, provider, monkeypatch
):
    # one page per transaction, as with a source whose pages hold COMMIT_RECORDS records
    monkeypatch.setattr(services, "COMMIT_RECORDS", 2)
    remote.routes.update(DC_LIST)
    source = add_source(remote, provider)

    def crash_after_first_page(done, total):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        source_harvest(source=source, progress=crash_after_first_page)
    assert source.runs.get().status == HarvestRun.Status.PARTIAL
    source.refresh_from_db()
    assert source.checkpoint["token"] == "dc-2"

    run = source_harvest(source=source)

    assert run.status == HarvestRun.Status.COMPLETED
    assert remote.served["ListRecords"] == 1
    assert Asset.objects.count() == 4
    assert SourceRecord.objects.count() == 4


def test_small_pages_are_committed_together_and_a_crash_keeps_the_groups_before_it(
    remote, provider, monkeypatch
):
    # pages of 3, 2 and 1 records, groups of 4: pages 1-2 in one transaction, page 3 next
    monkeypatch.setattr(services, "COMMIT_RECORDS", 4)
    remote.routes.update(DC_LIST)
    source = add_source(remote, provider)
    write_page = services.Ingestor.write_page
    calls = []

    def crash_on_the_third_page(self, records):
        calls.append(len(records))
        if len(calls) == 3:
            raise KeyboardInterrupt  # the process stopped while writing page 3
        return write_page(self, records)

    monkeypatch.setattr(services.Ingestor, "write_page", crash_on_the_third_page)
    with pytest.raises(KeyboardInterrupt):
        source_harvest(source=source)
    source.refresh_from_db()
    assert source.checkpoint["token"] == "dc-3"  # after page 2: the first group is in
    run = source.runs.get()
    assert (run.fetched, run.created, run.failed) == (5, 3, 2)  # the group's counts, saved
    assert Asset.objects.count() == 3

    monkeypatch.setattr(services.Ingestor, "write_page", write_page)
    second = source_harvest(source=source)
    assert second.status == HarvestRun.Status.COMPLETED
    assert (second.fetched, second.created) == (1, 1)
    assert Asset.objects.count() == 4 and SourceRecord.objects.count() == 4


def test_a_run_never_completes_with_records_missing(remote, provider):
    remote.routes["ListRecords"] = "dc_short.xml"
    source = add_source(remote, provider)
    run = source_harvest(source=source)
    assert run.status == HarvestRun.Status.PARTIAL
    assert "completeListSize" in run.errors[-1]["reason"]
    source.refresh_from_db()
    assert source.last_success_at is None


def test_no_records_match_is_an_empty_completed_run(remote, provider):
    remote.routes.update(DC_LIST)
    remote.routes["ListRecords+from"] = "no_records_match.xml"
    source = add_source(remote, provider)
    source_harvest(source=source)
    run = source_harvest(source=source)
    assert run.status == HarvestRun.Status.COMPLETED and run.fetched == 0


def test_an_expired_resumption_token_restarts_the_list(remote, provider):
    remote.routes.update(DC_LIST)
    remote.routes["stale"] = "bad_resumption_token.xml"
    source = add_source(remote, provider)
    source.checkpoint = {"token": "stale", "list_fetched": 3, "list_started_at": None}
    source.save()
    run = source_harvest(source=source)
    assert run.status == HarvestRun.Status.COMPLETED
    assert run.created == 4


def test_a_refused_request_fails_the_run(remote, provider):
    remote.routes["ListRecords"] = "cannot_disseminate.xml"
    run = source_harvest(source=add_source(remote, provider, prefix="edm"))
    assert run.status == HarvestRun.Status.FAILED
    assert run.errors[-1]["reason"].startswith("cannotDisseminateFormat")


def test_edm_as_providers_send_it(remote, provider):
    remote.routes["ListRecords"] = "edm_provider.xml"
    source = add_source(remote, provider, prefix="edm")
    run = source_harvest(source=source)
    assert run.status == HarvestRun.Status.COMPLETED and run.created == 1
    house = asset_of(source, "oai:museum.example.si:tartini-house")
    assert house.title == {"sl": "Tartinijeva hiša", "it": "Casa Tartini"}
    assert (house.lat, house.lon) == (45.5283, 13.5683)
    assert house.kind == Asset.Kind.BUILDING
    assert (house.start_year, house.end_year) == (1600, 1700)
    assert house.identifiers.get().value == "Q2710476"
    [prov] = provenance_for(house)
    assert prov.provider == "Pomorski muzej Piran"
    assert prov.aggregator == "Slovenian heritage aggregator"
    assert prov.link == "https://museum.example.si/item/tartini-house"


def test_edm_as_europeana_serves_it_reads_the_provider_proxy(remote, provider):
    remote.routes["ListRecords"] = "edm_europeana.xml"
    source = add_source(remote, provider, prefix="edm", aggregator="Europeana")
    source_harvest(source=source)
    church = asset_of(source, "http://data.europeana.eu/item/2048128/618580")
    assert church.title == {"it": "Chiesa di San Giorgio"}
    assert church.description == {"en": "Baroque parish church overlooking the harbour."}
    assert (church.lat, church.lon) == (45.5285, 13.568)
    record = SourceRecord.objects.get(source=source)
    assert record.harvested["extras"]["rights"] == (
        "http://creativecommons.org/publicdomain/zero/1.0/"
    )
    assert not record.needs_review
    assert church.identifiers.get().scheme == "it-iccd"


def test_the_same_wikidata_id_merges_into_the_existing_asset(remote, provider, other_org):
    existing = AssetFactory(organisation=other_org, title={"en": "Plungė manor"})
    ExternalIdentifierFactory(asset=existing, scheme="wikidata", value="Q3397395")
    remote.routes.update(DC_LIST)
    source = add_source(remote, provider)
    run = source_harvest(source=source)

    record = SourceRecord.objects.get(identifier="oai:kvr.example.lt:1")
    assert record.asset == existing and not record.is_origin
    assert run.created == 4 and Asset.objects.count() == 4  # 3 new + the existing one
    existing.refresh_from_db()
    assert existing.title == {"en": "Plungė manor"}  # the merge does not overwrite
    assert ExternalIdentifier.objects.filter(asset=existing, scheme="lt-kvr").exists()
    assert [p.source_kind for p in provenance_for(existing)] == ["oai-pmh"]


def test_the_same_title_within_100_m_is_proposed_as_a_duplicate(remote, provider, other_org):
    # the mill, 30 m away, with the title written without diacritics and in capitals
    near = AssetFactory(
        organisation=other_org, title={"lt": "PLUNGES VANDENS MALUNAS"}, lat=55.92025, lon=21.8501
    )
    far = AssetFactory(
        organisation=other_org, title={"lt": "Plungės vandens malūnas"}, lat=55.95, lon=21.85
    )
    remote.routes.update(DC_LIST)
    source = add_source(remote, provider)
    source_harvest(source=source)
    mill = asset_of(source, "oai:kvr.example.lt:6")
    candidate = DuplicateCandidate.objects.get()
    assert (candidate.asset, candidate.other) == (mill, near)
    assert candidate.distance_m < 100
    assert candidate.status == DuplicateCandidate.Status.PROPOSED
    assert not DuplicateCandidate.objects.filter(other=far).exists()


def test_confirming_a_duplicate_merges_its_provenance(remote, provider, other_org):
    from heco.harvest.dedupe import duplicate_confirm

    near = AssetFactory(organisation=other_org, title={"lt": "Plungės vandens malūnas"})
    near.lat, near.lon = 55.9201, 21.8500
    near.save()
    remote.routes.update(DC_LIST)
    source = add_source(remote, provider)
    source_harvest(source=source)
    candidate = DuplicateCandidate.objects.get()
    duplicate_confirm(candidate=candidate)
    candidate.asset.refresh_from_db()
    assert candidate.asset.status == Status.DELETED
    assert provenance_for(near)[0].identifier == "oai:kvr.example.lt:6"


def test_an_identifier_too_long_to_keep_is_reported_not_cut(remote, provider):
    from .test_images import TARTINI, edm_record, list_records

    long_identifier = "oai:museum.example.si:" + "x" * 600
    remote.routes["ListRecords"] = list_records(
        edm_record(long_identifier, TARTINI), edm_record("oai:museum.example.si:1", TARTINI)
    )
    run = source_harvest(source=add_source(remote, provider, prefix="edm"))
    assert (run.created, run.failed) == (1, 1)
    assert run.errors == [
        {"identifier": long_identifier, "reason": "identifier longer than 500 characters"}
    ]
    assert SourceRecord.objects.get().identifier == "oai:museum.example.si:1"


def test_a_503_with_retry_after_is_waited_out_as_the_source_asks(remote, provider):
    asked = []

    def busy(handler):  # OAI-PMH flow control: 503 with Retry-After
        asked.append(time.monotonic())
        handler.send_response(503)
        handler.send_header("Retry-After", "1")
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    def page(handler):
        asked.append(time.monotonic())
        body = (FIXTURES / "dc_page2.xml").read_bytes()
        handler.send_response(200)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    remote.routes.update(DC_LIST)
    remote.routes["dc-2"] = [busy, page]  # the retry delay is 0.01 s in tests
    run = source_harvest(source=add_source(remote, provider))
    assert run.status == HarvestRun.Status.COMPLETED and run.created == 4
    assert asked[1] - asked[0] >= 1.0  # the second try came when the source said


def test_retry_after_reads_seconds_and_http_dates():
    import datetime as dt
    from email.utils import format_datetime

    from heco.harvest.sources.base import retry_after

    later = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=90)
    assert retry_after("120") == 120.0
    assert 80 < retry_after(format_datetime(later, usegmt=True)) <= 90
    assert retry_after("soon") == retry_after(None) == retry_after("-5") == 0.0
