"""Build (and remove) the demo network. Used by ``heco demo``.

Assets, media, services and events are written through the service functions (validation,
EDTF years, renditions, last occurrences); communities, organisations, users and memberships
are plain rows, created in bulk. The search index is rebuilt once at the end.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from heco.core.models import Status
from heco.core.rights import RIGHTS_STATEMENTS
from heco.demo import data
from heco.demo.images import draw_image
from heco.heritage.models import Asset, Media
from heco.heritage.services import asset_create, deferred_indexing, media_add
from heco.network.models import Community, Membership, Network, Organisation, Role
from heco.programme.models import Event, Service
from heco.programme.recurrence import build_rule
from heco.programme.services import event_create, service_create
from heco.search import index as search_index

DEMO_PASSWORD = "heco-demo-2026"  # noqa: S105 - published demo credential, demo accounts only
DEMO_EMAIL_DOMAIN = "demo.heco.invalid"
SEED = 2026
IMAGE_RIGHTS = [
    "http://creativecommons.org/licenses/by/4.0/",
    "http://creativecommons.org/licenses/by-sa/4.0/",
    "http://creativecommons.org/publicdomain/zero/1.0/",
    "http://rightsstatements.org/vocab/InC-EDU/1.0/",
]
assert set(IMAGE_RIGHTS) <= {uri for uri, _label in RIGHTS_STATEMENTS}


@dataclass
class Login:
    username: str
    role: str
    scope: str


@dataclass
class Summary:
    communities: int = 0
    organisations: int = 0
    assets: int = 0
    media: int = 0
    services: int = 0
    events: int = 0
    indexed: int = 0
    logins: list[Login] = field(default_factory=list)


def has_demo() -> bool:
    return Network.objects.filter(slug=data.NETWORK["slug"]).exists()


def remove_demo() -> dict[str, int]:
    """Delete every ``is_demo`` record (and the demo accounts); other records are untouched."""
    from heco.comms.demo import remove_demo_comms
    from heco.heritage.media import delete_files
    from heco.printing.demo import remove_demo_printing

    counts: dict[str, int] = {}
    with transaction.atomic():
        counts["communication items and channels"] = remove_demo_comms()
        counts["print short links"] = remove_demo_printing()
        for media in Media.objects.filter(asset__is_demo=True):
            delete_files(media)
        counts["events"] = Event.objects.filter(is_demo=True).delete()[0]
        counts["services"] = Service.objects.filter(is_demo=True).delete()[0]
        asset_ids = list(Asset.objects.filter(is_demo=True).values_list("id", flat=True))
        counts["assets"] = Asset.objects.filter(is_demo=True).delete()[0]
        counts["networks"] = Network.objects.filter(is_demo=True).delete()[0]
        counts["users"] = (
            get_user_model().objects.filter(email__endswith="@" + DEMO_EMAIL_DOMAIN).delete()[0]
        )
        counts["organisations"] = Organisation.objects.filter(is_demo=True).delete()[0]
        counts["communities"] = Community.objects.filter(is_demo=True).delete()[0]
        if asset_ids:
            search_index.index_assets(asset_ids)  # gone rows drop out of the index
    return counts


def _langmap(en: str, lang: str, local: str) -> dict:
    return {"en": en, lang: local} if lang != "en" else {"en": en}


class DemoBuilder:
    def __init__(self, *, images: bool = True, stdout=None):
        self.rng = random.Random(SEED)
        self.images = images
        self.stdout = stdout
        self.summary = Summary()
        self.now = timezone.now()
        self.password_hash = make_password(DEMO_PASSWORD)  # hashed once, shared by demo users
        self.identifier_seq = 0

    # ---- helpers -------------------------------------------------------------------------
    def log(self, message: str) -> None:
        if self.stdout is not None:
            self.stdout.write(message)

    def jitter(self, lat: float, lon: float, km: float = 1.2) -> tuple[float, float]:
        dlat = self.rng.uniform(-km, km) / 111.0
        dlon = self.rng.uniform(-km, km) / 70.0
        return round(lat + dlat, 5), round(lon + dlon, 5)

    # ---- build ---------------------------------------------------------------------------
    def build(self) -> Summary:
        with transaction.atomic(), deferred_indexing(flush=False):
            communities = self._communities()
            orgs = self._organisations(communities)
            self._network(orgs)
            self._users(orgs)
            for spec in data.COMMUNITIES:
                self.log(f"  {spec['slug']}: assets, media, services, events")
                assets = self._assets(spec, communities[spec["slug"]], orgs)
                self._services(spec, orgs, assets)
                self._events(spec, orgs, assets)
        self.summary.indexed = search_index.rebuild()
        return self.summary

    def _communities(self) -> dict[str, Community]:
        rows = [
            Community(
                slug=spec["slug"],
                name=spec["name"],
                description=spec["description"],
                kind=Community.Kind.MUNICIPALITY,
                country=spec["country"],
                default_language=spec["lang"],
                lat=spec["lat"],
                lon=spec["lon"],
                is_demo=True,
            )
            for spec in data.COMMUNITIES
        ]
        for row in rows:
            row.full_clean()
        Community.objects.bulk_create(rows)
        self.summary.communities = len(rows)
        return {row.slug: row for row in rows}

    def _organisations(self, communities) -> dict[tuple[str, str], Organisation]:
        orgs = {}
        for spec in data.COMMUNITIES:
            community = communities[spec["slug"]]
            for key, slug, kind, name in spec["orgs"]:
                lat, lon = self.jitter(spec["lat"], spec["lon"], 0.8)
                org = Organisation(
                    slug=slug,
                    name=name,
                    description={
                        "en": data.DEMO_NOTE["en"],
                        spec["lang"]: data.DEMO_NOTE[spec["lang"]],
                    },
                    kind=kind,
                    community=community,
                    lat=lat,
                    lon=lon,
                    email=f"info@{slug}.example.org",
                    is_demo=True,
                )
                org.full_clean()
                orgs[(spec["slug"], key)] = org
        Organisation.objects.bulk_create(orgs.values())
        self.summary.organisations = len(orgs)
        return orgs

    def _network(self, orgs) -> Network:
        network = Network(
            slug=data.NETWORK["slug"],
            name=data.NETWORK["name"],
            description=data.NETWORK["description"],
            default_language="en",
            is_demo=True,
        )
        network.full_clean()
        network.save()
        network.organisations.add(*orgs.values())
        self.network = network
        return network

    def _users(self, orgs) -> None:
        User = get_user_model()
        users, memberships = [], []

        def user(username: str, first: str) -> object:
            account = User(
                username=username,
                first_name=first,
                email=f"{username}@{DEMO_EMAIL_DOMAIN}",
                password=self.password_hash,
                is_staff=True,
            )
            users.append(account)
            return account

        coordinator = user("coordinator", "Network coordinator")
        memberships.append(
            Membership(user=coordinator, network=self.network, role=Role.COORDINATOR)
        )
        self.summary.logins.append(Login("coordinator", "coordinator", self.network.slug))
        for spec in data.COMMUNITIES:
            for index, (key, slug, _kind, _name) in enumerate(spec["orgs"]):
                # the first organisation of each community gets the short login (editor-plunge)
                username = f"editor-{spec['login']}" if index == 0 else f"editor-{slug}"
                account = user(username, "Editor")
                memberships.append(
                    Membership(user=account, organisation=orgs[(spec["slug"], key)], role="editor")
                )
                self.summary.logins.append(Login(username, "editor", slug))
        User.objects.bulk_create(users)
        Membership.objects.bulk_create(memberships)

    def _identifier(self, scheme: str, country: str) -> tuple[str, str]:
        self.identifier_seq += 1
        return scheme, f"DEMO-{country}-{self.identifier_seq:04d}"

    def _assets(self, spec, community, orgs) -> dict[str, Asset]:
        lang = spec["lang"]
        place = spec["name"].get(lang) or spec["name"]["en"]
        assets = {}
        for index, row in enumerate(spec["assets"]):
            slug, kind, org_key, en, local, dating, themes, tags, scheme, featured = row
            org = orgs[(spec["slug"], org_key)]
            org_names = org.name
            summary = {
                code: data.SUMMARY[code].format(
                    title=title,
                    kind=data.KIND_WORDS[code][kind],
                    place=spec["name"].get(code, place) if code != "en" else spec["name"]["en"],
                    org=org_names.get(code) or org_names["en"],
                )
                for code, title in (("en", en), (lang, local))
            }
            description = {
                code: f"{summary[code]}\n\n{data.DEMO_NOTE[code]}" for code in ("en", lang)
            }
            lat, lon = self.jitter(spec["lat"], spec["lon"])
            if slug == "plateliai-manor":  # Plateliai lies some 15 km north of Plungė
                lat, lon = self.jitter(56.045, 21.815, 0.3)
            identifiers = [self._identifier(scheme, spec["country"])] if scheme else []
            geometry = None
            if kind in ("landscape", "natural", "archaeological-site"):
                d = 0.002 + self.rng.random() * 0.002
                geometry = {
                    "type": "Polygon",
                    "coordinates": [
                        [
                            [round(lon - d, 6), round(lat - d, 6)],
                            [round(lon + d, 6), round(lat - d, 6)],
                            [round(lon + d, 6), round(lat + d, 6)],
                            [round(lon - d, 6), round(lat + d, 6)],
                            [round(lon - d, 6), round(lat - d, 6)],
                        ]
                    ],
                }
            asset = asset_create(
                slug=slug,
                title=_langmap(en, lang, local),
                summary=summary,
                description=description,
                kind=kind,
                organisation=org,
                community=community,
                address=place,
                lat=lat,
                lon=lon,
                geometry=geometry,
                dating=dating,
                themes=themes,
                tags=["demo", *tags],
                condition=self.rng.choice(
                    [
                        Asset.Condition.GOOD,
                        Asset.Condition.GOOD,
                        Asset.Condition.FAIR,
                        Asset.Condition.POOR,
                        Asset.Condition.UNKNOWN,
                    ]
                ),
                featured=featured,
                status=Status.PUBLISHED,
                is_demo=True,
                identifiers=identifiers,
            )
            assets[slug] = asset
            self.summary.assets += 1
            if self.images:
                for variant in range(1 + (index % 2 == 0)):
                    self._image(asset, spec, org, en, local, variant)
        return assets

    def _image(self, asset, spec, org, en, local, variant: int) -> None:
        lang = spec["lang"]
        alt = {
            code: data.ALT[code].format(title=title)
            + (f" ({data.ALT_DETAIL[code]})" if variant else "")
            for code, title in (("en", en), (lang, local))
        }
        content = ContentFile(
            draw_image(asset.slug, asset.kind, variant), name=f"{asset.slug}-{variant + 1}.jpg"
        )
        org_name = org.name.get("en")
        media_add(
            asset=asset,
            file=content,
            kind=Media.Kind.IMAGE,
            rights=IMAGE_RIGHTS[(self.summary.media + variant) % len(IMAGE_RIGHTS)],
            credit=f"Generated illustration, HE.CO demo / {org_name}",
            alt_text=alt,
            caption={"en": en, lang: local},
            position=variant,
        )
        self.summary.media += 1

    def _services(self, spec, orgs, assets) -> None:
        lang = spec["lang"]
        for index, (kind, org_key, asset_slug, hours) in enumerate(spec["services"]):
            names = data.SERVICE_TYPES[kind]
            asset = assets.get(asset_slug) if asset_slug else None
            org = orgs[(spec["slug"], org_key)]
            if asset is not None:
                name = {
                    "en": f"{names['en']}: {asset.title['en']}",
                    lang: f"{names[lang]}: {asset.title.get(lang, asset.title['en'])}",
                }
            else:
                name = {
                    "en": f"{names['en']} – {org.name['en']}",
                    lang: f"{names[lang]} – {org.name.get(lang, org.name['en'])}",
                }
            service_create(
                slug=f"{spec['slug']}-{kind}-{index + 1}",
                name=name,
                description={"en": data.DEMO_NOTE["en"], lang: data.DEMO_NOTE[lang]},
                kind=kind,
                organisation=org,
                asset=asset,
                opening_hours=hours,
                prices={"en": data.PRICES["en"], lang: data.PRICES[lang]},
                booking_contact=org.email,
                languages=["en", lang] if index % 3 else [lang],
                accessibility=data.ACCESSIBILITY_PROFILES[index % len(data.ACCESSIBILITY_PROFILES)],
                status=Status.PUBLISHED,
                is_demo=True,
            )
            self.summary.services += 1

    def _events(self, spec, orgs, assets) -> None:
        lang = spec["lang"]
        tz = ZoneInfo(spec["tz"])
        today = timezone.localtime(self.now, tz).date()
        asset_list = list(assets.values())
        org_list = [org for (community, _key), org in orgs.items() if community == spec["slug"]]
        for index, (key, rule, hour, hours, audience, titles) in enumerate(data.EVENT_TYPES):
            asset = asset_list[(index * 5) % len(asset_list)]
            org = next((o for o in org_list if o.pk == asset.organisation_id), org_list[0])
            day = today + dt.timedelta(days=self.rng.randint(2, 75))
            start = dt.datetime.combine(day, dt.time(hour, 0), tzinfo=tz)
            if rule:
                # start recurring series on the right weekday, a few days from now
                day = today + dt.timedelta(days=self.rng.randint(1, 10))
                start = dt.datetime.combine(day, dt.time(hour, 0), tzinfo=tz)
                until = (today + dt.timedelta(days=180)).strftime("%Y%m%d")
                rule = rule.format(until=until)
                # the series starts on its first occurrence (e.g. the next Saturday)
                first = build_rule(rule, start.replace(tzinfo=None), tz)[0]
                start = first.replace(tzinfo=tz)
            title_local = asset.title.get(lang, asset.title["en"])
            event_create(
                slug=f"{spec['slug']}-{key}",
                title={
                    "en": f"{titles['en']}: {asset.title['en']}",
                    lang: f"{titles[lang]}: {title_local}",
                },
                description={"en": data.DEMO_NOTE["en"], lang: data.DEMO_NOTE[lang]},
                start=start,
                end=start + dt.timedelta(hours=hours),
                timezone=spec["tz"],
                rrule=rule,
                organisation=org,
                asset=asset,
                capacity=self.rng.choice([None, 20, 30, 60, 120]),
                accessibility=data.ACCESSIBILITY_PROFILES[index % 4],
                audience=audience,
                status=Status.PUBLISHED,
                is_demo=True,
            )
            self.summary.events += 1


def build_demo(*, images: bool = True, stdout=None) -> Summary:
    return DemoBuilder(images=images, stdout=stdout).build()
