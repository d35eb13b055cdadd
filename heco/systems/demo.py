"""Demo routes and a joint heritage pass, built on the demo network of ``heco.demo``.

``load_demo_systems()`` is idempotent: it replaces the demo routes and passes it made before.
Records it refers to that are missing (a changed demo data set) are skipped, not fatal.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from heco.core.models import Status
from heco.heritage.models import Asset
from heco.network.models import Network, Organisation
from heco.systems.models import HeritagePass, PassBenefit, Route, RouteStop

NETWORK_SLUG = "heco-heritage-network"

# (slug, mode, owner organisation, partner organisations, title, summary, stops)
# a stop: ("asset", slug, note) | ("partner", organisation slug, note) |
#         ("place", {"en": name, ...}, (lat, lon), note)
ROUTES = [
    (
        "plunge-manor-walk",
        Route.Mode.WALK,
        "samogitian-art-museum",
        ["plunge-district-municipality", "samogitian-crafts-workshop"],
        {
            "en": "Plungė manor walk",
            "lt": "Pasivaikščiojimas po Plungės dvarą",
        },
        {
            "en": "The Oginskiai palace, its park, the thunder oak and a crafts workshop: a "
            "short walk through Plungė. Demonstration data.",
            "lt": "Oginskių rūmai, parkas, Perkūno ąžuolas ir amatų dirbtuvė: trumpas "
            "pasivaikščiojimas po Plungę. Demonstraciniai duomenys.",
        },
        [
            ("asset", "plunge-manor", {"en": "Start at the palace entrance."}),
            ("asset", "plunge-manor-park", {}),
            ("asset", "perkunas-oak", {"en": "One of the oldest oaks in Lithuania."}),
            ("asset", "plunge-manor-rotunda", {}),
            ("asset", "plunge-manor-stables", {}),
            ("partner", "samogitian-crafts-workshop", {"en": "Crafts and a rest."}),
        ],
    ),
    (
        "skofja-loka-old-town",
        Route.Mode.WALK,
        "loka-museum",
        ["obcina-skofja-loka", "loka-bread-workshop"],
        {"en": "Škofja Loka old town", "sl": "Staro mestno jedro Škofje Loke"},
        {
            "en": "From the castle down to the square and over the Capuchin bridge. "
            "Demonstration data.",
            "sl": "Od gradu do trga in čez Kapucinski most. Demonstracijski podatki.",
        },
        [
            ("asset", "loka-castle", {"en": "The Loka Museum is in the castle."}),
            ("asset", "town-square", {}),
            ("asset", "homan-house", {}),
            ("asset", "capuchin-bridge", {}),
            ("partner", "loka-bread-workshop", {"en": "Taste the decorated honey bread."}),
        ],
    ),
    (
        "manors-alps-to-umbria",
        Route.Mode.CAR,
        "loka-museum",
        ["obcina-skofja-loka", "comune-di-bevagna", "old-mill-guesthouse"],
        {
            "en": "Manor houses from the Alps to Umbria",
            "sl": "Dvorci od Alp do Umbrije",
            "it": "Dimore storiche dalle Alpi all'Umbria",
        },
        {
            "en": "A two-country road trip linking the manors of Škofja Loka and Bevagna, "
            "with a stop on the way. Demonstration data.",
            "it": "Un viaggio in due paesi tra le dimore di Škofja Loka e Bevagna. "
            "Dati dimostrativi.",
        },
        [
            ("asset", "pustal-manor", {}),
            ("asset", "manor-garden", {}),
            ("place", {"en": "Rest stop near Bologna (illustrative)"}, (44.49, 11.34), {}),
            ("asset", "country-manor-villa", {}),
            ("asset", "manor-chapel", {}),
            ("partner", "old-mill-guesthouse", {"en": "Stay the night."}),
        ],
    ),
]

PASS = {
    "slug": "heco-heritage-pass",
    "owner": "samogitian-art-museum",
    "name": {
        "en": "HE.CO Heritage Pass",
        "lt": "HE.CO paveldo pasas",
        "it": "Pass del patrimonio HE.CO",
        "sl": "Izkaznica dediščine HE.CO",
        "mt": "Il-Pass tal-Wirt HE.CO",
        "nl": "HE.CO Erfgoedpas",
    },
    "description": {
        "en": "One pass for the heritage of five small communities: free entry, discounts "
        "and a stamp at each place you visit. Demonstration data.",
        "lt": "Vienas pasas penkių bendruomenių paveldui: nemokamas įėjimas, nuolaidos ir "
        "antspaudas kiekvienoje aplankytoje vietoje. Demonstraciniai duomenys.",
    },
    # (organisation, asset or "", kind, percent, description)
    "benefits": [
        ("samogitian-art-museum", "plunge-manor", "free-entry", None, {}),
        ("plunge-public-library", "manor-inventory-book", "stamp", None, {}),
        ("loka-museum", "loka-castle", "discount", 20, {"en": "On the full ticket."}),
        ("bevagna-civic-museum", "", "discount", 50, {}),
        ("mdina-historic-house-museum", "palazzo-falson", "free-entry", None, {}),
        ("zutphen-public-library", "librije-zutphen", "stamp", None, {}),
        ("hanseatic-guesthouse", "", "discount", 10, {"en": "On a night's stay."}),
    ],
}


@dataclass
class SystemsSummary:
    routes: int = 0
    stops: int = 0
    passes: int = 0
    benefits: int = 0


def remove_demo_systems() -> None:
    Route.objects.filter(is_demo=True).delete()
    HeritagePass.objects.filter(is_demo=True).delete()


@transaction.atomic
def load_demo_systems() -> SystemsSummary:
    remove_demo_systems()
    summary = SystemsSummary()
    network = Network.objects.filter(slug=NETWORK_SLUG).first()
    orgs = {o.slug: o for o in Organisation.objects.filter(is_demo=True)}
    assets = {
        a.slug: a for a in Asset.objects.filter(is_demo=True).only("id", "slug", "organisation_id")
    }
    now = timezone.now()
    for slug, mode, owner, partners, title, text, stops in ROUTES:
        if owner not in orgs:
            continue
        route = Route.objects.create(
            slug=slug,
            title=title,
            summary=text,
            mode=mode,
            organisation=orgs[owner],
            network=network,
            status=Status.PUBLISHED,
            published_at=now,
            is_demo=True,
        )
        route.partners.set([orgs[p] for p in partners if p in orgs])
        position = 0
        for stop in stops:
            kind, ref = stop[0], stop[1]
            fields = {"note": stop[-1]}
            if kind == "asset" and ref in assets:
                fields["asset"] = assets[ref]
            elif kind == "partner" and ref in orgs:
                fields["place_organisation"] = orgs[ref]
            elif kind == "place":
                fields.update(name=ref, lat=stop[2][0], lon=stop[2][1])
            else:
                continue
            position += 1
            row = RouteStop(route=route, position=position, **fields)
            row.full_clean()
            row.save()
            summary.stops += 1
        summary.routes += 1
    if PASS["owner"] in orgs:
        year = timezone.localdate().year
        heritage_pass = HeritagePass.objects.create(
            slug=PASS["slug"],
            name=PASS["name"],
            description=PASS["description"],
            organisation=orgs[PASS["owner"]],
            network=network,
            valid_from=dt.date(year, 1, 1),
            valid_until=dt.date(year, 12, 31),
            status=Status.PUBLISHED,
            published_at=now,
            is_demo=True,
        )
        summary.passes += 1
        for position, (org, asset, kind, percent, text) in enumerate(PASS["benefits"], start=1):
            if org not in orgs:
                continue
            place = assets.get(asset) if asset else None
            if place is not None and place.organisation_id != orgs[org].pk:
                place = None
            benefit = PassBenefit(
                heritage_pass=heritage_pass,
                organisation=orgs[org],
                asset=place,
                kind=kind,
                discount_percent=percent,
                description=text,
                position=position,
            )
            benefit.full_clean()
            benefit.save()
            summary.benefits += 1
    return summary
