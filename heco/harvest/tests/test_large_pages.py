"""Pages of 1,000 records and more (some providers send them): written whole, with duplicate
proposals found across the whole page."""

import pytest
from django.db import transaction

from heco.harvest.ingest import Ingestor
from heco.harvest.models import DuplicateCandidate, SourceRecord
from heco.harvest.services import source_add
from heco.harvest.sources.base import HarvestedRecord
from heco.heritage.models import Asset
from heco.testing.factories import AssetFactory

pytestmark = pytest.mark.django_db


def test_a_page_of_1200_records_goes_in_and_duplicates_are_proposed_across_it(provider):
    # an asset already in the catalogue, near where record 900 of the page lies
    mill = AssetFactory(title={"lt": "Senasis malūnas"}, lat=55.5, lon=22.5, status="published")
    source = source_add(kind="csv", url="/dev/null", organisation=provider, mapping={})
    records = [
        HarvestedRecord(
            identifier=f"r{n}",
            fields={
                "title": {"lt": f"Objektas {n}"},
                "lat": 54.0 + n * 0.001,
                "lon": 23.0 + n * 0.001,
            },
        )
        for n in range(1200)
    ]
    records[900] = HarvestedRecord(
        identifier="r900",
        fields={"title": {"lt": "Senasis  malūnas"}, "lat": 55.5003, "lon": 22.5},
    )
    with transaction.atomic():
        result = Ingestor(source).write_page(records)

    assert (result.created, result.failed) == (1200, 0)
    assert SourceRecord.objects.filter(source=source).count() == 1200
    new_mill = SourceRecord.objects.get(source=source, identifier="r900").asset
    proposal = DuplicateCandidate.objects.get()
    assert {proposal.asset_id, proposal.other_id} == {new_mill.pk, mill.pk}
    assert proposal.distance_m < 100
    assert Asset.objects.count() == 1201
