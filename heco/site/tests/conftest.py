"""A small published network for the site tests: a Lithuanian community whose texts are
only partly translated, a museum, assets (one draft, one withdrawn, one tombstone), media,
services and events."""

import datetime as dt
import io

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image

from heco.core.models import Status
from heco.heritage.models import Media
from heco.testing.factories import (
    AssetFactory,
    CommunityFactory,
    EventFactory,
    ExternalIdentifierFactory,
    NetworkFactory,
    OrganisationFactory,
    ServiceFactory,
)

LANGS = ["en", "lt", "it", "sl", "mt", "nl"]


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 6), (120, 80, 40)).save(buffer, "PNG")
    return buffer.getvalue()


def add_image(asset, **extra):
    media = Media(
        asset=asset,
        kind=Media.Kind.IMAGE,
        rights="http://creativecommons.org/licenses/by/4.0/",
        credit=extra.pop("credit", "Plungė Library"),
        alt_text=extra.pop("alt_text", {"en": "The manor from the park", "lt": "Dvaras iš parko"}),
        **extra,
    )
    media.file.save("manor.png", ContentFile(png_bytes()), save=False)
    media.save()
    return media


@pytest.fixture
def world(db):
    community = CommunityFactory(
        slug="plunge",
        name={"lt": "Plungė", "en": "Plungė"},
        description={"lt": "Miestas Žemaitijoje."},
        country="LT",
        default_language="lt",
    )
    museum = OrganisationFactory(
        slug="zemaitija-museum",
        name={"lt": "Žemaičių dailės muziejus", "en": "Samogitian Art Museum"},
        kind="museum",
        community=community,
        website="https://example.org/museum",
    )
    network = NetworkFactory(slug="heco", name={"en": "HE.CO network"})
    network.organisations.add(museum)
    manor = AssetFactory(
        slug="oginskiai-manor",
        title={"lt": "Oginskių dvaras"},  # only Lithuanian: a fallback everywhere else
        summary={"lt": "Neorenesansinis dvaras su parku.", "en": "A neo-Renaissance manor."},
        description={"en": "Built in 1879.\n\nNow a museum."},
        kind="building",
        organisation=museum,
        community=community,
        lat=55.9566,
        lon=21.8449,
        dating="1879",
        start_year=1879,
        end_year=1879,
        themes=["public-space"],
        featured=True,
        designation={"en": "State-protected cultural property"},
    )
    ExternalIdentifierFactory(asset=manor, scheme="wikidata", value="Q4353823")
    add_image(manor)
    chapel = AssetFactory(
        slug="manor-chapel",
        title={"en": "Manor chapel", "lt": "Dvaro koplyčia"},
        kind="monument",
        organisation=museum,
        community=community,
        lat=55.9600,
        lon=21.8500,
        start_year=1700,
        end_year=1750,
    )
    far = AssetFactory(
        slug="far-away-castle",
        title={"en": "Far away castle"},
        organisation=museum,
        community=community,
        lat=54.68,
        lon=25.28,
    )
    draft = AssetFactory(slug="draft-asset", organisation=museum, status=Status.DRAFT)
    withdrawn = AssetFactory(slug="withdrawn-asset", organisation=museum, status=Status.WITHDRAWN)
    deleted = AssetFactory(
        slug="deleted-asset", organisation=museum, status=Status.DELETED, deleted_at=timezone.now()
    )
    service = ServiceFactory(
        slug="manor-tours",
        name={"en": "Manor tours", "lt": "Ekskursijos po dvarą"},
        organisation=museum,
        asset=manor,
        opening_hours="Mo-Su 00:00-24:00",
        accessibility=["step-free"],
        languages=["lt", "en"],
    )
    event = EventFactory(
        slug="summer-concert",
        title={"en": "Summer concert", "lt": "Vasaros koncertas"},
        organisation=museum,
        asset=manor,
        start=timezone.now() + dt.timedelta(days=2),
    )
    weekly = EventFactory(
        slug="saturday-workshop",
        title={"lt": "Šeštadienio dirbtuvės"},
        organisation=museum,
        asset=manor,
        start=timezone.now() + dt.timedelta(days=1),
        rrule="FREQ=WEEKLY;COUNT=6",
    )
    return {
        "community": community,
        "museum": museum,
        "network": network,
        "manor": manor,
        "chapel": chapel,
        "far": far,
        "draft": draft,
        "withdrawn": withdrawn,
        "deleted": deleted,
        "service": service,
        "event": event,
        "weekly": weekly,
    }


@pytest.fixture
def indexed(world):
    from heco.search.index import rebuild

    rebuild()
    return world
