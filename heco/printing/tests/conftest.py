"""Print fixtures: a Lithuanian library with an asset (with a photo), a service and events."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.utils import timezone

from heco.heritage.models import Media
from heco.testing.factories import (
    AssetFactory,
    CommunityFactory,
    EventFactory,
    NetworkFactory,
    OrganisationFactory,
    ServiceFactory,
)

ASSET_TITLE_LT = "Plungės dvaro rūmai ir Žemaičių dailės muziejus"
EVENT_TITLE_LT = "Žemaitijos amatų mugė: ąžuolų šventė"
ORG_NAME_LT = "Plungės viešoji biblioteka"


def png_bytes(width=1200, height=800) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (width, height), (120, 150, 110))
    draw = ImageDraw.Draw(image)
    for i in range(0, width, 80):
        draw.rectangle([i, height // 2, i + 40, height], fill=(200, 170, 90))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The network's default language (where a scan falls back to) is cached for minutes."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def lt_org(db):
    community = CommunityFactory(slug="plunge", name={"lt": "Plungė", "en": "Plungė"})
    return OrganisationFactory(
        slug="plunges-biblioteka",
        name={"lt": ORG_NAME_LT, "en": "Plungė Public Library"},
        description={
            "lt": "Biblioteka Žemaitijos širdyje: knygos, parodos, edukacijos ir amatų dirbtuvės "
            "vaikams bei suaugusiems. Kviečiame užsukti į dvaro parką.",
            "en": "A library in the heart of Samogitia: books, exhibitions, education and "
            "craft workshops for children and adults.",
        },
        community=community,
        address="Vytauto g. 8, Plungė",
        email="info@plunge.example",
        phone="+370 448 00000",
        website="https://plunge.example",
    )


@pytest.fixture
def lt_asset(lt_org):
    asset = AssetFactory(
        slug="plunges-dvaras",
        title={"lt": ASSET_TITLE_LT, "en": "Plungė Manor Palace", "mt": "Il-Palazz ta' Plungė"},
        summary={
            "lt": "Kunigaikščių Oginskių rezidencija, pastatyta 1879 m. neorenesanso stiliumi.",
            "en": "The residence of the Oginski dukes, built in 1879 in neo-Renaissance style.",
            "mt": "Ir-residenza tad-duki Oginski, mibnija fl-1879 — ċirkwit, ġnien u ħajt.",
        },
        description={
            "lt": ("Rūmus supa didelis parkas su tvenkiniais ir Perkūno ąžuolu. " * 12).strip(),
            "en": ("The palace is surrounded by a large park with ponds. " * 12).strip(),
        },
        organisation=lt_org,
        dating="1879",
        address="Parko g. 1, Plungė",
    )
    media = Media(asset=asset, rights="http://creativecommons.org/licenses/by/4.0/")
    media.credit = "Jonas Petrauskas"
    media.alt_text = {"lt": "Rūmai ir parkas", "en": "Palace and park"}
    media.file.save("palace.png", ContentFile(png_bytes()), save=False)
    media.save()
    ServiceFactory(
        slug="muziejaus-lankymas",
        name={"lt": "Muziejaus lankymas", "en": "Museum visit"},
        organisation=lt_org,
        asset=asset,
        opening_hours="Tu-Fr 10:00-18:00; Sa 10:00-16:00",
        prices={"lt": "Bilietas 5 €, moksleiviams 2 €", "en": "Ticket €5, pupils €2"},
    )
    return asset


@pytest.fixture
def lt_event(lt_asset):
    start = timezone.now().replace(hour=9, minute=0, second=0, microsecond=0)
    return EventFactory(
        slug="amatu-muge",
        title={"lt": EVENT_TITLE_LT, "en": "Samogitian craft fair: oak festival"},
        description={
            "lt": "Kalviai, puodžiai ir audėjos kviečia į dvaro parką. Ąžuolų šventėje — "
            "edukacijos vaikams, žemaitiška muzika ir vietinių ūkininkų turgelis.",
            "en": "Smiths, potters and weavers invite you to the manor park.",
        },
        start=start + dt.timedelta(days=5),
        end=start + dt.timedelta(days=5, hours=6),
        rrule="FREQ=WEEKLY;COUNT=4",
        organisation=lt_asset.organisation,
        asset=lt_asset,
        accessibility=["step-free", "seating"],
        audience=["families"],
        registration_url="https://plunge.example/muge",
    )


@pytest.fixture
def lt_network(lt_org, lt_event):
    other = OrganisationFactory(slug="gozo-museum", name={"mt": "Il-Mużew ta' Għawdex"})
    network = NetworkFactory(slug="heco-net", name={"en": "HE.CO network", "lt": "HE.CO tinklas"})
    network.organisations.add(lt_org, other)
    EventFactory(
        slug="festa",
        title={"mt": "Festa ta' San Ġorġ", "en": "Feast of Saint George"},
        start=lt_event.start + dt.timedelta(hours=3),
        organisation=other,
    )
    return network


ROUTE_TITLE_LT = "Pasivaikščiojimas po Plungės dvarą"


@pytest.fixture
def lt_route(lt_asset):
    """A published walk of the library: the palace, a second asset and a free place."""
    from heco.core.models import Status
    from heco.systems.models import Route, RouteStop

    oak = AssetFactory(
        slug="perkuno-azuolas",
        title={"lt": "Perkūno ąžuolas", "en": "Thunder oak"},
        organisation=lt_asset.organisation,
        lat=55.915,
        lon=21.850,
    )
    lt_asset.lat, lt_asset.lon = 55.911, 21.844
    lt_asset.save()
    route = Route.objects.create(
        slug="plunges-dvaro-takas",
        title={"lt": ROUTE_TITLE_LT, "en": "Plungė manor walk"},
        summary={
            "lt": "Rūmai, parkas ir Perkūno ąžuolas: trumpas pasivaikščiojimas po Plungę.",
            "en": "The palace, its park and the thunder oak: a short walk through Plungė.",
        },
        description={"lt": "Maršrutas prasideda prie rūmų įėjimo ir baigiasi prie ąžuolo."},
        mode=Route.Mode.WALK,
        organisation=lt_asset.organisation,
        status=Status.PUBLISHED,
    )
    RouteStop.objects.create(
        route=route, position=1, asset=lt_asset, note={"lt": "Pradžia prie rūmų įėjimo."}
    )
    RouteStop.objects.create(route=route, position=2, asset=oak)
    RouteStop.objects.create(
        route=route, position=3, name={"lt": "Žvejų namai", "en": "Fishermen's house"},
        lat=55.918, lon=21.855,
    )  # fmt: skip
    return route
