"""Text matching: diacritics, prefixes, ranking, hostile input, what is indexed."""

import pytest

from heco.search import SearchQuery, search
from heco.search.index import index_assets
from heco.testing.factories import ExternalIdentifierFactory

from .conftest import find


@pytest.mark.parametrize(
    ("text", "query"),
    [
        ("Plungė manor park", "plunge"),
        ("Palazzo della città", "citta"),
        ("Žemaitija ethnographic farmstead", "zemaitija"),
        ("Plunge manor park", "Plungė"),  # and the other way round
        ("ŽEMAITIJA", "žemaitija"),
    ],
)
def test_search_ignores_diacritics_and_case(make_asset, text, query):
    asset = make_asset(title={"lt": text})
    assert find(query) == [asset.id]


def test_every_language_of_title_summary_and_description_is_searchable(make_asset):
    asset = make_asset(
        title={"lt": "Oginskių dvaras", "en": "Oginski manor"},
        summary={"it": "Un palazzo storico"},
        description={"nl": "Een historisch landhuis", "sl": "Zgodovinski dvorec"},
    )
    for word in ("oginskiu", "manor", "palazzo", "landhuis", "dvorec"):
        assert find(word, prefix=False) == [asset.id], word


def test_organisation_community_tags_designation_and_identifiers_are_searchable(make_asset, lt_org):
    asset = make_asset(
        organisation=lt_org,
        title={"en": "Water mill"},
        tags=["milling", "wood"],
        designation={"lt": "Valstybės saugomas", "en": "State protected"},
    )
    ExternalIdentifierFactory(asset=asset, scheme="lt-kvr", value="KVR-24571")
    index_assets([asset.id])
    for word in ("biblioteka", "plunge", "milling", "saugomas", "protected", "24571", "kvr"):
        assert find(word, prefix=False) == [asset.id], word


def test_all_words_must_match(make_asset):
    mill = make_asset(title={"en": "Old water mill"})
    make_asset(title={"en": "Old chapel"})
    assert find("old mill") == [mill.id]


def test_last_word_matches_as_prefix_for_type_ahead(make_asset):
    asset = make_asset(title={"lt": "Plungės dvaras"})
    assert find("plun") == [asset.id]
    assert find("dvaras plu") == [asset.id]
    assert find("plun", prefix=False) == []
    # only the last word is a prefix
    assert find("plun dvaras") == []


def test_title_match_ranks_above_description_only_match(make_asset):
    in_description = make_asset(
        title={"en": "Village museum"},
        description={"en": "Its windmill is the best preserved in the region."},
        featured=True,  # a higher static weight must not beat a title match
    )
    in_title = make_asset(title={"en": "Windmill of Kuršėnai"})
    assert find("windmill") == [in_title.id, in_description.id]


def test_static_weight_breaks_ties_between_equal_text_matches(make_asset):
    plain = make_asset(title={"en": "Chapel"})
    featured = make_asset(title={"en": "Chapel"}, featured=True)
    assert find("chapel") == [featured.id, plain.id]


FINDS_MILL = {"mill*", "^mill", "‘mill’", "mill + -", '"mill', "mill)"}


@pytest.mark.parametrize(
    "hostile",
    [
        '"',
        '""',
        "AND(",
        "*",
        "-",
        "NEAR(",
        "NEAR(a b, 2)",
        "title:mill",
        "mill OR",
        "OR",
        "NOT mill",
        "mill*",
        "^mill",
        "'",
        "mill' & 'x",
        "a:* | !b",
        "(((",
        "\\",
        "%_%",
        "\x00",
        "{title body}: mill",
        "mill + -",
        "‘mill’",
        '"mill',
        "mill)",
        "🙂",
        "a" * 2000,
        "x " * 500,
    ],
)
def test_hostile_query_strings_never_raise(make_asset, hostile):
    mill = make_asset(title={"en": "Water mill"})
    result = search(SearchQuery(q=hostile))
    assert isinstance(result.ids, list)
    assert result.total == len(result.ids) or result.total > len(result.ids)
    if hostile in FINDS_MILL:
        assert result.ids == [mill.id]


def test_query_of_only_punctuation_finds_nothing(make_asset):
    make_asset(title={"en": "Water mill"})
    result = search(SearchQuery(q='"*-'))
    assert result.ids == []
    assert result.total == 0


def test_empty_index_returns_empty_result(db):
    result = search(SearchQuery(q="anything"))
    assert result.ids == []
    assert result.total == 0
    assert all(values == [] for values in result.facets.values())
