"""The bounded fast path on a seeded catalogue, checked against a brute-force computation.

3,000 documents are loaded through the bulk path (``heco.search.bulk``) with the thresholds
lowered (EXACT_LIMIT 400, RANK_CANDIDATES 50, TITLE_CANDIDATES 20) so that common words take
the estimated path and rare ones the exact path, as at 1,000,000 documents with the real
thresholds.
"""

import random
import uuid
from collections import Counter

import pytest

from heco.search import SearchQuery, search
from heco.search.backends import base
from heco.search.backends.common import centuries
from heco.search.bulk import BulkDocument, bulk_load
from heco.search.index import index_assets
from heco.search.models import SearchFacetCount
from heco.testing.factories import AssetFactory, CommunityFactory, OrganisationFactory

SIZE = 3000
VOCABULARY = [f"w{n}x" for n in range(400)]  # "w0x" is the most frequent word
COUNTRIES = ["LT", "IT", "SI", "MT", "NL"]
KINDS = ["building", "monument", "collection", "document", "landscape"]
THEMES = ["public-space", "adult-education", "entrepreneurship", "valorization-ethics"]
ACCESS = ["step-free", "tactile", "seating"]
PLANTED = 3  # light documents whose whole title is the most common word


def _catalogue(seed=11):
    rng = random.Random(seed)
    zipf = [1 / (r + 1) for r in range(len(VOCABULARY))]

    def words(k):
        return rng.choices(VOCABULARY, weights=zipf, k=k)

    docs = []
    for n in range(SIZE):
        country = rng.choice(COUNTRIES)
        start = rng.choice([None, 1200, 1490, 1550, 1700, 1910])
        docs.append(
            {
                "asset_id": uuid.UUID(int=rng.getrandbits(128)),
                "title": " ".join(words(rng.randint(2, 4))),
                "meta": f"org{n % 30}",
                "body": " ".join(words(rng.randint(5, 20))),
                "country": country,
                "community": f"{country.lower()}-{n % 7}",
                "organisation": f"org-{n % 30}",
                "kind": rng.choice(KINDS),
                "themes": tuple(rng.sample(THEMES, rng.randint(0, 2))),
                "accessibility": tuple(rng.sample(ACCESS, rng.randint(0, 2))),
                "start_year": start,
                "end_year": None if start is None else start + rng.choice([0, 30, 150]),
                "lat": 40 + rng.random() * 15,
                "lon": 5 + rng.random() * 20,
                "weight": round(0.05 + rng.random() * 0.9, 6),
                "sort_title": "",
            }
        )
    for doc in docs:
        doc["sort_title"] = doc["title"].lower()
    for n in range(PLANTED):  # the lightest documents: the last docids
        docs.append(
            {
                **docs[n],
                "asset_id": uuid.uuid4(),
                "title": "W0x",
                "sort_title": "w0x",
                "weight": 0.0,
            }
        )
    docs.sort(key=lambda d: -d["weight"])
    return docs


@pytest.fixture
def catalogue(db, monkeypatch):
    monkeypatch.setattr(base, "EXACT_LIMIT", 400)
    monkeypatch.setattr(base, "RANK_CANDIDATES", 50)
    monkeypatch.setattr(base, "TITLE_CANDIDATES", 20)
    docs = _catalogue()
    assert bulk_load(BulkDocument(**d) for d in docs) == len(docs)
    return docs


def _matches(doc, terms, prefix):
    tokens = set(f"{doc['title']} {doc['meta']} {doc['body']}".lower().split())
    *whole, last = terms
    ok = all(t in tokens for t in whole)
    if prefix and len(last) >= 2:
        return ok and any(t.startswith(last) for t in tokens)
    return ok and last in tokens


def brute_force(docs, query: SearchQuery):
    """Total and disjunctive facet counts of ``query``, computed in Python."""
    terms = query.q.lower().split()

    def passes(doc, name):
        if name == "period":
            if not query.period:
                return True
            lo, hi = query.period
            s, e = doc["start_year"], doc["end_year"]
            return s is not None and (hi is None or s <= hi) and (lo is None or e >= lo)
        chosen = set(getattr(query, name))
        if name == "theme":
            values = doc["themes"]
        elif name == "accessibility":
            values = doc["accessibility"]
        else:
            values = (doc[name],)
        return not chosen or bool(chosen & set(values))

    names = ["country", "community", "organisation", "kind", "theme", "accessibility", "period"]
    rows = [d for d in docs if not terms or _matches(d, terms, query.prefix)]
    if query.bbox:
        x0, y0, x1, y1 = query.bbox
        rows = [d for d in rows if y0 <= d["lat"] <= y1 and x0 <= d["lon"] <= x1]
    matching = [d for d in rows if all(passes(d, n) for n in names)]
    facets = {}
    for name in names:
        counter = Counter()
        for doc in rows:
            if all(passes(doc, other) for other in names if other != name):
                if name == "period":
                    counter.update(centuries(doc["start_year"], doc["end_year"]))
                elif name == "theme":
                    counter.update(doc["themes"])
                elif name == "accessibility":
                    counter.update(doc["accessibility"])
                else:
                    counter[doc[name]] += 1
        facets[name] = dict(counter)
    return matching, facets


def _facets(result):
    return {name: {v.value: v.count for v in values} for name, values in result.facets.items()}


@pytest.mark.parametrize(
    "params",
    [
        {"q": "w150x"},  # a rare word
        {"q": "w3x w9x"},  # two words
        {"q": "w40x", "country": ("MT",), "theme": ("entrepreneurship",)},
        {"q": "w8x", "bbox": (10.0, 44.0, 16.0, 49.0)},
        {"q": "w30x", "kind": ("monument", "landscape"), "accessibility": ("tactile",)},
        {"q": "w37", "prefix": True},  # prefix: w37x, w370x … w379x
        {"q": "w20x", "country": ("SI",), "period": (1500, 1599)},
        {"q": "w25x", "organisation": ("org-3", "org-4"), "kind": ("building",)},
        {"q": "w2x", "bbox": (9.97, 44.03, 16.41, 48.96), "kind": ("building",)},
    ],
)
def test_exact_path_equals_brute_force_below_the_threshold(catalogue, params):
    params = {"prefix": False, **params}
    query = SearchQuery(**params)
    matching, facets = brute_force(catalogue, query)
    # the query and, for each facet it filters on, the same query without that filter (the
    # facet's own counts) all stay under the threshold: the exact path
    assert 0 < len(matching) <= base.EXACT_LIMIT
    for name in ("country", "kind", "theme", "accessibility", "organisation", "period"):
        if name in params:
            relaxed = SearchQuery(**{k: v for k, v in params.items() if k != name})
            assert len(brute_force(catalogue, relaxed)[0]) <= base.EXACT_LIMIT
    result = search(SearchQuery(limit=base.MAX_LIMIT, **params))
    assert result.total_exact and result.facets_exact
    assert result.total == len(matching)
    assert _facets(result) == facets
    ids = list(result.ids)
    while len(ids) < result.total:
        more = search(SearchQuery(limit=base.MAX_LIMIT, offset=len(ids), **params)).ids
        assert more
        ids += more
    assert sorted(ids) == sorted(d["asset_id"] for d in matching)


@pytest.mark.parametrize(
    "params",
    [
        {"q": "w0x"},
        {"q": "w1x", "country": ("IT", "LT")},
        {"q": "w", "prefix": True},  # a one-letter prefix is a whole word: nothing
        {"q": "w1", "prefix": True},  # w1x, w10x…w19x, w100x…
        {"country": ("IT", "LT", "NL")},
    ],
)
def test_results_over_the_threshold_are_flagged_and_close(catalogue, params):
    params = {"prefix": False, **params}
    query = SearchQuery(limit=20, **params)
    matching, facets = brute_force(catalogue, query)
    result = search(query)
    if len(matching) <= base.EXACT_LIMIT:
        assert result.total == len(matching) and result.total_exact
        return
    assert not result.total_exact and not result.facets_exact
    # an estimate from the first EXACT_LIMIT matches in docid order: in the right range
    assert 0.6 * len(matching) <= result.total <= 1.6 * len(matching)
    for name, values in _facets(result).items():
        assert set(values) <= set(facets[name]), name
    expected = {d["asset_id"] for d in matching}
    assert set(result.ids) <= expected and len(result.ids) == 20


@pytest.mark.parametrize(
    "params",
    [
        # filters only: the full-text index walks the filter keys
        {"community": ("it-3",)},
        {"organisation": ("org-7",), "theme": ("public-space",)},
        {"bbox": (12.0, 47.0, 13.5, 47.8)},
        {"q": "w0x", "community": ("nl-5",), "accessibility": ("seating",)},
        {"q": "w1", "prefix": True, "bbox": (20.0, 50.0, 21.0, 50.7)},
    ],
)
def test_filter_keys_find_exactly_the_filtered_documents(catalogue, params):
    matching, _facets_ = brute_force(catalogue, SearchQuery(**params))
    assert 0 < len(matching) <= base.EXACT_LIMIT
    result = search(SearchQuery(limit=base.MAX_LIMIT, **params))
    assert result.total_exact and result.total == len(matching)
    assert sorted(result.ids) == sorted(d["asset_id"] for d in matching)


@pytest.mark.parametrize(
    "params",
    [{"community": ("lt-2",)}, {"kind": ("document",), "country": ("NL", "MT")}],
)
def test_browse_with_filters_is_in_browse_order(catalogue, params):
    """Without words, filtered results keep the unfiltered browse's order: weight, title."""
    matching, _facets_ = brute_force(catalogue, SearchQuery(**params))
    assert len(matching) <= base.EXACT_LIMIT
    expected = sorted(matching, key=lambda d: (-d["weight"], d["sort_title"]))
    result = search(SearchQuery(limit=30, offset=5, **params))
    assert result.ids == [d["asset_id"] for d in expected[5:35]]


def test_exact_title_matches_rank_first_even_when_light_and_the_word_is_common(catalogue):
    planted = {d["asset_id"] for d in catalogue if d["title"] == "W0x"}
    matching, _facets_ = brute_force(catalogue, SearchQuery(q="w0x", prefix=False))
    assert len(matching) > 3 * base.EXACT_LIMIT  # the planted ones are far beyond the sample
    result = search(SearchQuery(q="w0x", prefix=False, limit=10))
    assert set(result.ids[:PLANTED]) == planted
    # and every other result on the page has the word in its title, like brute force says
    titled = {d["asset_id"] for d in matching if "w0x" in d["title"].lower().split()}
    assert set(result.ids) <= titled


def test_pages_over_the_threshold_never_repeat_a_result(catalogue):
    seen = []
    for offset in range(0, 1000, 100):
        seen += search(SearchQuery(q="w0x", prefix=False, offset=offset, limit=100)).ids
    assert len(seen) == len(set(seen)) == 1000


def test_unfiltered_browse_facets_are_exact_and_follow_single_edits(catalogue):
    matching, facets = brute_force(catalogue, SearchQuery())
    result = search(SearchQuery())
    assert result.total == len(matching) == SIZE + PLANTED
    assert result.total_exact and result.facets_exact
    assert _facets(result) == facets

    org = OrganisationFactory(community=CommunityFactory(country="MT", slug="mt-new"))
    asset = AssetFactory(organisation=org, kind="natural", themes=["public-space"])
    index_assets([asset.id])
    after = _facets(search(SearchQuery()))
    assert after["kind"]["natural"] == 1
    assert after["country"]["MT"] == facets["country"]["MT"] + 1
    assert after["theme"]["public-space"] == facets["theme"]["public-space"] + 1
    assert search(SearchQuery()).total == SIZE + PLANTED + 1

    asset.tombstone()
    asset.save()
    index_assets([asset.id])
    assert _facets(search(SearchQuery())) == facets
    # a lost count table is recounted on the next browse
    SearchFacetCount.objects.all().delete()
    assert _facets(search(SearchQuery())) == facets
