"""Filter keys (heco.search.keys): box covers, and user words never matching a key."""

import random
import uuid

import pytest

from heco.search import SearchQuery, search
from heco.search.bulk import BulkDocument, bulk_load
from heco.search.keys import (
    CELL_SIZES,
    MAX_CELLS,
    box_keys,
    collides,
    document_keys,
    facet_key,
    query_groups,
)


def test_facet_keys_are_single_lower_case_words():
    assert facet_key("country", "IT") == "qqxcit"
    assert facet_key("community", "Šiauliai-old-town") == "qqxmsiauliaioldtown"
    assert facet_key("theme", "public-space").isalnum()


@pytest.mark.parametrize(
    "box",
    [
        (12.0, 47.0, 13.0, 47.7),  # the map around one community
        (-0.3, -0.2, 0.4, 0.1),  # across the equator and the prime meridian
        (14.1, 35.8, 14.6, 36.1),  # Malta
        (179.5, 10.0, 180.0, 11.0),  # touching the antimeridian
        (5.0, 40.0, 20.0, 52.0),  # most of the network's map (4° cells)
    ],
)
def test_every_point_in_a_box_has_one_of_the_box_keys(box):
    keys = box_keys(*box)
    assert keys and len(keys) <= MAX_CELLS
    rng = random.Random(3)
    x0, y0, x1, y1 = box
    points = [(y0, x0), (y1, x1), (y0, x1), (y1, x0)]
    points += [(rng.uniform(y0, y1), rng.uniform(x0, x1)) for _ in range(500)]
    for lat, lon in points:
        doc_keys = document_keys(
            country="", community="", organisation="", kind="", themes=(), accessibility=(),
            lat=lat, lon=lon,
        ).split()  # fmt: skip
        assert set(doc_keys) & set(keys), (lat, lon)
        assert len(doc_keys) == len(CELL_SIZES)


def test_boxes_without_keys():
    assert box_keys(170.0, 0.0, -170.0, 5.0) is None  # crosses the antimeridian
    assert box_keys(-180.0, -90.0, 180.0, 90.0) is None  # the world: not selective
    query = SearchQuery(bbox=(-180.0, -90.0, 180.0, 90.0), country=("lt",))
    assert query_groups(query) == {"country": ["qqxclt"]}


def test_words_that_could_reach_a_key_are_recognised():
    assert collides(["qqxclt"], False)
    assert collides(["qq"], True) and collides(["qqx"], True)
    assert not collides(["qq"], False)  # the whole word "qq" is no key
    assert not collides(["castle", "qu"], True)


def _doc(n, title, **extra):
    values = {
        "asset_id": uuid.UUID(int=n),
        "title": title,
        "meta": "",
        "body": "",
        "country": "LT",
        "community": "plunge",
        "organisation": "museum",
        "kind": "building",
        "themes": ("public-space",),
        "accessibility": (),
        "start_year": None,
        "end_year": None,
        "lat": 55.9,
        "lon": 21.8,
        "weight": 1.0 - n / 100,
        "sort_title": title.lower(),
    }
    values.update(extra)
    return BulkDocument(**values)


def test_user_text_never_matches_filter_keys(db):
    bulk_load([_doc(1, "Manor"), _doc(2, "Qqxa mill")])
    # "qq" / "qqx" typed into the box would match every key as a prefix
    assert search(SearchQuery(q="qq")).total == 1
    assert search(SearchQuery(q="qqx")).total == 1
    assert search(SearchQuery(q="qqxclt")).total == 0
    assert search(SearchQuery(q="qqxa", prefix=False)).total == 1
    # and the keys still do their work under such words
    assert search(SearchQuery(q="qq", country=("LT",))).total == 1
    assert search(SearchQuery(q="qq", country=("IT",))).total == 0
