"""A small cross-border network for the systems tests: Plungė (LT) and Bevagna (IT), a
walk in Plungė, a drive from Plungė to Bevagna, a pass with benefits in both countries, and
events (one weekly) with audiences and accessibility."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.utils import timezone

from heco.core.models import Status
from heco.programme import recurrence
from heco.systems.models import HeritagePass, PassBenefit, Route, RouteStop
from heco.testing.factories import (
    AssetFactory,
    CommunityFactory,
    EventFactory,
    NetworkFactory,
    OrganisationFactory,
    ServiceFactory,
)


@pytest.fixture(autouse=True)
def _fresh_cache(settings, request):
    """A clean cache; the anonymous page cache off (query counts measure the views) except in
    tests marked ``page_cache``."""
    if "page_cache" not in request.fixturenames:
        settings.HECO_PAGE_CACHE_SECONDS = 0
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def page_cache(settings, tmp_path):
    settings.HECO_PAGE_CACHE_SECONDS = 60
    settings.DATA_DIR = tmp_path


def make_route(slug, organisation, stops, mode=Route.Mode.WALK, **extra):
    route = Route.objects.create(
        slug=slug,
        title=extra.pop("title", {"en": slug.replace("-", " ").title()}),
        mode=mode,
        organisation=organisation,
        status=extra.pop("status", Status.PUBLISHED),
        **extra,
    )
    for position, fields in enumerate(stops, start=1):
        RouteStop.objects.create(route=route, position=position, **fields)
    return route


@pytest.fixture
def world(db):
    plunge = CommunityFactory(
        slug="plunge", name={"lt": "Plungė", "en": "Plungė"}, country="LT",
        default_language="lt", lat=55.9114, lon=21.8440,
    )  # fmt: skip
    bevagna = CommunityFactory(
        slug="bevagna", name={"it": "Bevagna"}, country="IT", default_language="it",
        lat=42.9329, lon=12.6098,
    )  # fmt: skip
    museum = OrganisationFactory(
        slug="samogitian-art-museum", name={"en": "Samogitian Art Museum"},
        community=plunge, lat=55.9566, lon=21.8449,
    )  # fmt: skip
    cafe = OrganisationFactory(
        slug="amber-cafe", name={"en": "Amber Café"}, kind="business", community=plunge,
        lat=55.9130, lon=21.8500,
    )  # fmt: skip
    comune = OrganisationFactory(
        slug="comune-di-bevagna", name={"it": "Comune di Bevagna"}, kind="municipality",
        community=bevagna, lat=42.9330, lon=12.6100,
    )  # fmt: skip
    network = NetworkFactory(slug="heco", name={"en": "HE.CO network"})
    network.organisations.add(museum, cafe, comune)
    manor = AssetFactory(
        slug="plunge-manor", title={"lt": "Plungės dvaras", "en": "Plungė Manor"},
        organisation=museum, community=plunge, lat=55.9566, lon=21.8449, address="Parko g. 1",
    )  # fmt: skip
    oak = AssetFactory(
        slug="perkunas-oak", title={"en": "Perkūnas oak"}, organisation=museum,
        community=plunge, lat=55.9600, lon=21.8520,
    )  # fmt: skip
    piazza = AssetFactory(
        slug="piazza-silvestri", title={"it": "Piazza Silvestri"}, organisation=comune,
        community=bevagna, lat=42.9335, lon=12.6090,
    )  # fmt: skip
    draft_asset = AssetFactory(
        slug="draft-asset", organisation=museum, community=plunge, status=Status.DRAFT
    )
    tours = ServiceFactory(
        slug="manor-tours", name={"en": "Manor tours"}, kind="guided-tour",
        organisation=museum, asset=manor,
    )  # fmt: skip
    walk = make_route(
        "plunge-manor-walk",
        museum,
        [
            {"asset": manor, "note": {"en": "Start at the palace."}},
            {"asset": oak, "dwell_minutes": 5},
            {"service": tours},
            {"place_organisation": cafe},
        ],
        title={"en": "Plungė manor walk", "lt": "Pasivaikščiojimas po dvarą"},
        summary={"en": "A short walk."},
        network=network,
    )
    drive = make_route(
        "amber-to-umbria",
        museum,
        [
            {"asset": manor},
            {"name": {"en": "Rest stop in Bologna"}, "lat": 44.49, "lon": 11.34},
            {"asset": piazza},
        ],
        mode=Route.Mode.CAR,
        title={"en": "From Samogitia to Umbria"},
        network=network,
    )
    drive.partners.add(comune)
    heritage_pass = HeritagePass.objects.create(
        slug="heco-pass", name={"en": "HE.CO Heritage Pass"}, organisation=museum,
        network=network, valid_from=dt.date(2020, 1, 1), valid_until=dt.date(2099, 12, 31),
        status=Status.PUBLISHED,
    )  # fmt: skip
    PassBenefit.objects.create(
        heritage_pass=heritage_pass, organisation=museum, asset=manor, kind="free-entry",
        position=1,
    )  # fmt: skip
    PassBenefit.objects.create(
        heritage_pass=heritage_pass, organisation=comune, kind="discount", discount_percent=25,
        description={"en": "On the museum ticket."}, position=2,
    )  # fmt: skip
    PassBenefit.objects.create(
        heritage_pass=heritage_pass, organisation=cafe, kind="stamp", position=3
    )
    now = timezone.now()
    concert = EventFactory(
        slug="summer-concert", title={"en": "Summer concert"}, organisation=museum,
        asset=manor, start=now + dt.timedelta(days=2), audience=["adults"],
        accessibility=["step-free"], timezone="Europe/Vilnius",
    )  # fmt: skip
    workshop = EventFactory(
        slug="saturday-workshop", title={"en": "Saturday workshop"}, organisation=museum,
        asset=oak, start=now + dt.timedelta(days=1), rrule="FREQ=WEEKLY;COUNT=6",
        audience=["children", "families"], timezone="Europe/Vilnius",
    )  # fmt: skip
    for event in (concert, workshop):
        event.last_occurrence = recurrence.last_occurrence(event)
        event.save(update_fields=["last_occurrence"])
    festa = EventFactory(
        slug="festa", title={"it": "Festa"}, organisation=comune, asset=piazza,
        start=now + dt.timedelta(days=3), timezone="Europe/Rome", audience=["families"],
    )  # fmt: skip
    draft_event = EventFactory(
        slug="draft-event", organisation=museum, status=Status.DRAFT,
        start=now + dt.timedelta(days=2),
    )  # fmt: skip
    return {
        "plunge": plunge,
        "bevagna": bevagna,
        "museum": museum,
        "cafe": cafe,
        "comune": comune,
        "network": network,
        "manor": manor,
        "oak": oak,
        "piazza": piazza,
        "draft_asset": draft_asset,
        "tours": tours,
        "walk": walk,
        "drive": drive,
        "pass": heritage_pass,
        "concert": concert,
        "workshop": workshop,
        "festa": festa,
        "draft_event": draft_event,
    }
