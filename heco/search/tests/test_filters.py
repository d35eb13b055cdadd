"""Filters, facets (compared with a brute-force count), browse order, paging."""

import random
from collections import Counter

import pytest

from heco.core.geo import haversine_km
from heco.heritage.models import Asset
from heco.programme.models import Service
from heco.search import SearchQuery, search
from heco.search.backends.common import centuries
from heco.search.index import index_assets
from heco.testing.factories import (
    AssetFactory,
    CommunityFactory,
    OrganisationFactory,
    ServiceFactory,
)

from .conftest import find


def test_filter_by_country_community_organisation_and_kind(make_asset, lt_org, it_org):
    lt = make_asset(organisation=lt_org, kind="building")
    it = make_asset(organisation=it_org, kind="monument")
    assert find(country=("LT",)) == [lt.id]
    assert find(country=("lt",)) == [lt.id]
    assert set(find(country=("LT", "IT"))) == {lt.id, it.id}
    assert find(community=("matera",)) == [it.id]
    assert find(organisation=("plunge-library",)) == [lt.id]
    assert find(kind=("monument",)) == [it.id]
    assert find(kind=("monument",), country=("LT",)) == []  # AND across facets


def test_filter_by_theme_matches_any_of_the_chosen_themes(make_asset):
    a = make_asset(themes=["public-space", "adult-education"])
    b = make_asset(themes=["entrepreneurship"])
    make_asset(themes=[])
    assert find(theme=("adult-education",)) == [a.id]
    assert set(find(theme=("adult-education", "entrepreneurship"))) == {a.id, b.id}
    assert find(theme=("public",)) == []  # whole values only


def test_filter_by_accessibility_uses_published_services_of_the_asset(make_asset):
    asset = make_asset(index=False)
    ServiceFactory(asset=asset, organisation=asset.organisation, accessibility=["step-free"])
    ServiceFactory(
        asset=asset,
        organisation=asset.organisation,
        accessibility=["sign-language"],
        status="draft",
    )
    index_assets([asset.id])
    assert find(accessibility=("step-free",)) == [asset.id]
    assert find(accessibility=("sign-language",)) == []


def test_filter_by_period_is_an_overlap_test(make_asset):
    medieval = make_asset(start_year=1250, end_year=1400)
    baroque = make_asset(start_year=1650, end_year=None)  # a single year
    make_asset()  # undated: never in a period filter
    assert find(period=(1300, 1350)) == [medieval.id]
    assert find(period=(1400, 1650)) == [medieval.id, baroque.id] or set(
        find(period=(1400, 1650))
    ) == {medieval.id, baroque.id}
    assert find(period=(1401, 1649)) == []
    assert find(period=(1600, None)) == [baroque.id]
    assert find(period=(None, 1260)) == [medieval.id]


def test_filter_by_bbox(make_asset):
    plunge = make_asset(lat=55.91, lon=21.84)
    make_asset(lat=45.52, lon=13.57)  # Piran
    make_asset(lat=None, lon=None)
    assert find(bbox=(20.0, 55.0, 23.0, 57.0)) == [plunge.id]
    assert find(bbox=(0.0, 0.0, 1.0, 1.0)) == []


def test_bbox_across_the_antimeridian(make_asset):
    fiji = make_asset(lat=-17.7, lon=178.0)
    samoa = make_asset(lat=-13.8, lon=-172.1)
    make_asset(lat=0.0, lon=0.0)
    assert set(find(bbox=(170.0, -20.0, -170.0, -10.0))) == {fiji.id, samoa.id}


def test_near_uses_the_exact_distance_not_just_the_box(make_asset):
    centre = (55.91, 21.84)
    inside = make_asset(lat=55.95, lon=21.90)  # ~6 km
    corner = make_asset(lat=55.91 + 0.085, lon=21.84 + 0.15)  # in the 10 km box, ~13 km away
    far = make_asset(lat=54.69, lon=25.28)  # Vilnius
    assert haversine_km(*centre, corner.lat, corner.lon) > 10
    assert find(near=(*centre, 10)) == [inside.id]
    assert set(find(near=(*centre, 20))) == {inside.id, corner.id}
    assert far.id in find(near=(*centre, 300))


def test_open_now_keeps_assets_with_an_open_published_service(make_asset):
    open_asset = make_asset(index=False)
    closed_asset = make_asset(index=False)
    make_asset()  # no services at all
    ServiceFactory(asset=open_asset, organisation=open_asset.organisation, opening_hours="24/7")
    ServiceFactory(asset=closed_asset, organisation=closed_asset.organisation, opening_hours="off")
    index_assets([open_asset.id, closed_asset.id])
    assert find(open_now=True) == [open_asset.id]


def test_open_now_with_nothing_open_finds_nothing(make_asset):
    make_asset()
    result = search(SearchQuery(open_now=True))
    assert result.ids == [] and result.total == 0


def test_browse_with_empty_query_orders_by_weight_then_title(make_asset):
    b = make_asset(title={"en": "Beta"})
    a = make_asset(title={"en": "Alpha"})
    top = make_asset(title={"en": "Zeta"}, featured=True)
    result = search(SearchQuery())
    assert result.ids == [top.id, a.id, b.id]
    assert result.total == 3 and result.total_exact


def test_paging_returns_every_result_once(make_asset):
    ids = {make_asset(title={"en": f"Mill {n}"}).id for n in range(7)}
    for q in ("", "mill"):
        seen = []
        for offset in range(0, 8, 3):
            result = search(SearchQuery(q=q, offset=offset, limit=3))
            assert result.total == 7
            seen += result.ids
        assert sorted(seen) == sorted(ids)


# --- facets against brute force -----------------------------------------------------

KINDS = ["building", "monument", "landscape"]
THEMES = ["public-space", "adult-education", "entrepreneurship", "valorization-ethics"]
ACCESS = ["step-free", "tactile", "seating"]


@pytest.fixture
def catalogue(db):
    """Forty assets with random facet values in three countries."""
    rnd = random.Random(7)
    orgs = []
    for n, country in enumerate(["LT", "IT", "SI", "LT"]):
        community = CommunityFactory(slug=f"town-{n}", country=country)
        orgs.append(OrganisationFactory(slug=f"org-{n}", community=community))
    assets = []
    for n in range(40):
        start = rnd.choice([None, 1200, 1490, 1550, 1700, 1910])
        asset = AssetFactory(
            title={"en": f"Site {n}" + (" mill" if n % 3 else "")},
            organisation=rnd.choice(orgs),
            kind=rnd.choice(KINDS),
            themes=rnd.sample(THEMES, rnd.randint(0, 2)),
            start_year=start,
            end_year=None if start is None else start + rnd.choice([0, 30, 150]),
            status="published" if n % 10 else "draft",
        )
        if n % 2:
            ServiceFactory(
                asset=asset,
                organisation=asset.organisation,
                accessibility=rnd.sample(ACCESS, rnd.randint(1, 2)),
            )
        assets.append(asset)
    index_assets([a.id for a in assets])
    return assets


def brute_force(query: SearchQuery):
    """Expected total and disjunctive facet counts, computed in Python from the models."""
    rows = []
    for asset in Asset.objects.filter(status="published").select_related(
        "community", "organisation"
    ):
        access = set()
        for values in Service.objects.filter(asset=asset, status="published").values_list(
            "accessibility", flat=True
        ):
            access.update(values)
        start = asset.start_year if asset.start_year is not None else asset.end_year
        end = asset.end_year if asset.end_year is not None else asset.start_year
        rows.append(
            {
                "text": " ".join(asset.title.values()).lower(),
                "country": {asset.community.country},
                "community": {asset.community.slug},
                "organisation": {asset.organisation.slug},
                "kind": {asset.kind},
                "theme": set(asset.themes),
                "accessibility": access,
                "period": (start, end),
            }
        )

    def passes(row, name):
        if name == "period":
            if not query.period:
                return True
            lo, hi = query.period
            start, end = row["period"]
            return start is not None and (hi is None or start <= hi) and (lo is None or end >= lo)
        chosen = set(getattr(query, name))
        return not chosen or bool(chosen & row[name])

    names = ["country", "community", "organisation", "kind", "theme", "accessibility", "period"]
    matching = [r for r in rows if all(t in r["text"].split() for t in query.q.lower().split())]
    total = sum(all(passes(r, n) for n in names) for r in matching)
    facets = {}
    for name in names:
        counter = Counter()
        for row in matching:
            if all(passes(row, other) for other in names if other != name):
                if name == "period":
                    counter.update(centuries(*row["period"]))
                else:
                    counter.update(row[name])
        facets[name] = dict(counter)
    return total, facets


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"q": "mill"},
        {"country": ("LT",)},
        {"country": ("LT", "SI"), "kind": ("building",)},
        {"q": "mill", "theme": ("public-space", "entrepreneurship"), "accessibility": ("tactile",)},
        {"period": (1500, 1599), "organisation": ("org-1", "org-2")},
        {"community": ("town-0",), "period": (1400, None), "kind": ("monument", "landscape")},
    ],
)
def test_facet_counts_match_a_brute_force_count(catalogue, params):
    query = SearchQuery(prefix=False, limit=100, **params)
    result = search(query)
    expected_total, expected_facets = brute_force(query)
    assert result.total == expected_total == len(result.ids)
    assert result.total_exact and result.facets_exact
    got = {name: {v.value: v.count for v in values} for name, values in result.facets.items()}
    assert got == expected_facets


def test_facets_can_be_switched_off(catalogue):
    result = search(SearchQuery(facets=False))
    assert result.facets == {}
    assert result.total == 36
