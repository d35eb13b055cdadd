"""Issue 4: our own /oai harvested by a second instance of our harvester reproduces the assets.

The first instance is this test process: pytest-django's live server serving /oai from the
test database (SQLite or PostgreSQL, whichever the suite runs on). The second instance is
``heco`` run as subprocesses with an environment of its own: a fresh ``HECO_DATA_DIR``, so its
own SQLite database, and no ``HECO_DATABASE_URL``. It migrates, gets an organisation to
harvest into, adds our /oai as a source and harvests it; then we read its database with
sqlite3 and compare with what we serve.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import uuid

import pytest

from heco.aggregation.crosswalks.common import record_rights
from heco.aggregation.oai.verbs import oai_identifier
from heco.core.models import Status
from heco.heritage.models import Asset, Media
from heco.testing.factories import (
    AssetFactory,
    CommunityFactory,
    ExternalIdentifierFactory,
    OrganisationFactory,
)
from heco.testing.instance import heco

MIRROR_ORGANISATION = (
    "from heco.network.models import Community, Organisation\n"
    "community = Community.objects.create(slug='mirror', name={'en': 'Mirror'},"
    " kind='region', country='LT', default_language='en')\n"
    "Organisation.objects.create(slug='mirror', name={'en': 'Mirror aggregator'},"
    " kind='museum', community=community)\n"
)


@pytest.fixture(scope="module")
def migrated_instance(tmp_path_factory):
    """A data directory with a migrated database and the organisation to harvest into;
    each test copies it, so every harvest starts from a fresh instance."""
    data_dir = tmp_path_factory.mktemp("second-instance-template")
    heco(data_dir, "migrate", "--noinput", "-v", "0")
    heco(data_dir, "shell", "--no-imports", "-c", MIRROR_ORGANISATION)
    return data_dir


@pytest.fixture
def second_instance(migrated_instance, tmp_path):
    data_dir = tmp_path / "second-instance"
    shutil.copytree(migrated_instance, data_dir)
    return data_dir


TITLES = [
    {"lt": "Plungės dvaro rūmai", "en": "Plungė Manor Palace"},
    {"sl": "Tartinijeva hiša", "it": "Casa Tartini", "en": "Tartini House"},
    {"mt": "Il-Katidral ta' San Pawl", "en": "St Paul's Cathedral", "it": "Cattedrale"},
    {"nl": "Molen De Hoop", "en": "The Hope windmill"},
    {"it": "Chiesa di San Giorgio"},
    {"lt": "Žemaičių Kalvarijos bažnyčia", "en": "Žemaičių Kalvarija church"},
    {"en": 'Salt pans & "quotes" <and> angle brackets'},
]
PLACES = [
    (55.911612, 21.844731),
    (45.528301, 13.568312),
    (35.898909, 14.514553),
    (52.011034, 4.710555),
    (45.5285, 13.568),
    (56.0, 22.0),
    (-33.86, 151.21),  # southern and eastern hemispheres too
]
RIGHTS = [
    "http://creativecommons.org/licenses/by/4.0/",
    "http://creativecommons.org/publicdomain/zero/1.0/",
    "http://rightsstatements.org/vocab/InC/1.0/",
    None,  # no media: the record says Copyright Not Evaluated
]
KINDS = [
    Asset.Kind.BUILDING,
    Asset.Kind.MONUMENT,
    Asset.Kind.ARCHAEOLOGICAL_SITE,
    Asset.Kind.LANDSCAPE,
    Asset.Kind.COLLECTION,
    Asset.Kind.NATURAL,
    Asset.Kind.DOCUMENT,
]


@pytest.fixture
def served(transactional_db, live_server, settings):
    """Published assets of three organisations in three countries, plus a tombstone and a
    draft that the mirror must not get."""
    settings.SITE_URL = live_server.url
    organisations = [
        OrganisationFactory(
            slug=slug,
            name={"en": name},
            community=CommunityFactory(country=country, default_language=lang),
        )
        for slug, name, country, lang in (
            ("plunge-library", "Plungė public library", "LT", "lt"),
            ("piran-museum", "Piran maritime museum", "SI", "sl"),
            ("heritage-malta", "Heritage Malta", "MT", "mt"),
        )
    ]
    assets = []
    for n in range(21):
        lat, lon = PLACES[n % len(PLACES)]
        asset = AssetFactory(
            organisation=organisations[n % 3],
            title={lang: f"{text} {n}" for lang, text in TITLES[n % len(TITLES)].items()},
            kind=KINDS[n % len(KINDS)],
            lat=lat + n / 1000,
            lon=lon - n / 1000,
            dating=str(1500 + 17 * n),
            tags=[f"tag-{n % 4}", "heritage"],
        )
        rights = RIGHTS[n % len(RIGHTS)]
        if rights:
            Media.objects.create(
                asset=asset,
                kind=Media.Kind.VIDEO_LINK,
                url=f"https://video.example.org/{n}",
                rights=rights,
            )
        if n % 5 == 0:
            ExternalIdentifierFactory(asset=asset, scheme="wikidata", value=f"Q{4000 + n}")
        assets.append(asset)
    assets[-1].lat = assets[-1].lon = None  # one without a place
    assets[-1].save()
    gone = AssetFactory(organisation=organisations[0], title={"en": "Demolished barn"})
    gone.tombstone()
    gone.save()
    AssetFactory(organisation=organisations[1], title={"en": "Draft"}, status=Status.DRAFT)
    published = list(
        Asset.objects.filter(status=Status.PUBLISHED)
        .select_related("organisation")
        .prefetch_related("media", "identifiers")
    )
    assert len(published) == 21
    return published


def mirror_holds(data_dir) -> dict:
    """What the second instance holds, by the identifier it harvested each record under."""
    db = sqlite3.connect(data_dir / "heco.sqlite3")
    try:
        rows = db.execute(
            "SELECT r.identifier, r.harvested, r.is_origin, r.deleted, "
            " a.id, a.title, a.lat, a.lon, a.kind, a.dating, a.start_year, a.tags, a.status,"
            " o.slug "
            "FROM harvest_sourcerecord r JOIN heritage_asset a ON a.id = r.asset_id "
            "JOIN network_organisation o ON o.id = a.organisation_id"
        ).fetchall()
        identifiers: dict = {}
        for asset_id, scheme, value in db.execute(
            "SELECT asset_id, scheme, value FROM heritage_externalidentifier"
        ):
            identifiers.setdefault(asset_id, set()).add((scheme, value))
        asset_count = db.execute("SELECT COUNT(*) FROM heritage_asset").fetchone()[0]
    finally:
        db.close()
    held = {}
    for (identifier, harvested, is_origin, deleted, asset_id, title, lat, lon, kind, dating,
         start_year, tags, status, organisation) in rows:  # fmt: skip
        held[identifier] = {
            "harvested": json.loads(harvested),
            "is_origin": bool(is_origin),
            "deleted": bool(deleted),
            "title": json.loads(title),
            "lat": lat,
            "lon": lon,
            "kind": kind,
            "dating": dating,
            "start_year": start_year,
            "tags": json.loads(tags),
            "status": status,
            "organisation": organisation,
            "identifiers": identifiers.get(asset_id, set()),
        }
    return {"count": asset_count, "records": held}


def source_add(second_instance, url: str, prefix: str) -> str:
    added = heco(
        second_instance, "source", "add", "oai-pmh", url,
        "--metadata-prefix", prefix, "--organisation", "mirror",
    )  # fmt: skip
    return added.stdout.split()[-1]


def harvest(second_instance, source_id: str, *options) -> dict:
    harvested = heco(second_instance, "harvest", source_id, "--json", *options)
    return json.loads(harvested.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("prefix", ["oai_dc", "edm"])
def test_a_second_instance_harvesting_our_oai_reproduces_the_same_assets(
    served, live_server, second_instance, prefix
):
    source_id = source_add(second_instance, f"{live_server.url}/oai", prefix)
    report = harvest(second_instance, source_id)

    assert report["status"] == "completed", report
    assert report["fetched"] == len(served) + 1  # and the tombstone, as a deleted header
    assert (report["created"], report["failed"]) == (len(served), 0), report["errors"]
    mirror = mirror_holds(second_instance)
    assert mirror["count"] == len(served)
    assert set(mirror["records"]) == {oai_identifier(asset) for asset in served}
    for asset in served:
        held = mirror["records"][oai_identifier(asset)]
        where = f"{prefix} {asset.slug}"
        assert held["is_origin"] and not held["deleted"] and held["status"] == "published"
        assert held["organisation"] == "mirror"
        assert held["title"] == asset.title, where
        if asset.lat is None:
            assert held["lat"] is None and held["lon"] is None, where
        else:
            assert held["lat"] == pytest.approx(asset.lat, abs=1e-6), where
            assert held["lon"] == pytest.approx(asset.lon, abs=1e-6), where
        assert held["kind"] == asset.kind, where
        assert (held["dating"], held["start_year"]) == (asset.dating, int(asset.dating)), where
        assert sorted(held["tags"]) == sorted(asset.tags), where
        extras = held["harvested"]["extras"]
        assert extras["rights"] == record_rights(asset), where
        assert held["identifiers"] == {(i.scheme, i.value) for i in asset.identifiers.all()}
        if prefix == "edm":  # provenance: the provider we name and the page we show it on
            assert extras["data_provider"] == asset.organisation.name["en"], where
            page = f"{live_server.url}/en/assets/{asset.slug}/"
            assert extras["links"]["isShownAt"] == page, where
    # the second instance's own ids are its own; our ids travel in the OAI identifiers
    assert all(
        uuid.UUID(identifier.rsplit("/", 1)[1]) in {a.pk for a in served}
        for identifier in mirror["records"]
    )


def test_a_second_harvest_of_an_unchanged_oai_changes_nothing(served, live_server, second_instance):
    source_id = source_add(second_instance, f"{live_server.url}/oai", "oai_dc")
    assert harvest(second_instance, source_id)["status"] == "completed"
    report = harvest(second_instance, source_id, "--full")
    assert report["status"] == "completed"
    assert (report["created"], report["updated"], report["failed"]) == (0, 0, 0)
    assert mirror_holds(second_instance)["count"] == len(served)
