"""The harvest's lean INSERT: values encoded ahead are written as the writer would write them."""

import pytest
from django.db import connection
from django.utils import timezone

from heco.core.models import Status
from heco.harvest.fastwrite import UUIDs, encoded_json, insert_rows, new_row
from heco.heritage.models import Asset

pytestmark = pytest.mark.django_db

VALUES = {
    "title": {"lt": "Plungės dvaras", "en": "Plungė manor"},
    "summary": {},
    "tags": ["dvaras", "parkas"],
    "themes": [],
    "kind": Asset.Kind.BUILDING,
    "lat": 55.91,
    "lon": 21.85,
}


def row(organisation, slug, **extra):
    now = timezone.now()
    return new_row(
        Asset,
        id=UUIDs()(),
        organisation_id=organisation.pk,
        community_id=organisation.community_id,
        status=Status.PUBLISHED,
        published_at=now,
        slug=slug,
        created_at=now,
        updated_at=now,
        **VALUES,
        **extra,
    )


def test_a_row_encoded_ahead_reads_back_like_one_encoded_by_the_writer():
    from heco.testing.factories import OrganisationFactory

    organisation = OrganisationFactory()
    encoded = encoded_json(Asset, VALUES)
    made = encoded_json(Asset, {}, texts={"tags": '["made"]'})  # JSON text made beforehand
    if connection.vendor == "postgresql":
        assert encoded == {} and made == {}  # psycopg encodes JSON itself, at execution
    else:
        assert set(encoded) == {"title", "summary", "tags", "themes"}
        assert all(isinstance(text, str) for text in encoded.values())
        assert made == {"tags": '["made"]'}

    insert_rows(
        Asset,
        [row(organisation, "plain"), row(organisation, "ahead", _encoded=encoded)],
    )

    plain, ahead = (Asset.objects.get(slug=s) for s in ("plain", "ahead"))
    for name in VALUES:
        assert getattr(ahead, name) == getattr(plain, name) == VALUES[name]


def test_present_lists_the_values_the_table_holds():
    from heco.harvest.fastwrite import present
    from heco.testing.factories import AssetFactory, OrganisationFactory

    mine, other = OrganisationFactory(), OrganisationFactory()
    AssetFactory(slug="plunge-manor", organisation=mine)
    AssetFactory(slug="piran-tower", organisation=other)

    slugs = ["plunge-manor", "piran-tower", "nowhere", 'o\'brien "quoted"']
    assert present(Asset, "slug", slugs) == {"plunge-manor", "piran-tower"}
    assert present(Asset, "slug", slugs, organisation_id=mine.pk) == {"plunge-manor"}
    assert present(Asset, "slug", []) == set()


def test_harvested_ids_are_version_7_and_come_in_order_even_if_the_clock_goes_back():
    times = iter([1_800_000_000_000_000_000] * 5000 + [1_700_000_000_000_000_000] * 10)
    make = UUIDs(batch=64, clock=lambda: next(times))
    ids = [make() for _ in range(5010)]  # more than 4,096 in one millisecond, then back in time

    assert all(i.version == 7 and i.variant == "specified in RFC 4122" for i in ids)
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    assert sorted(i.hex for i in ids) == [i.hex for i in ids]  # as SQLite stores and sorts them
    assert ids[0].int >> 80 == 1_800_000_000_000  # milliseconds since the epoch
