"""EDM and oai_dc crosswalks: schema-valid, Europeana's content rules, every language kept."""

import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from heco.aggregation.crosswalks import common, dc, edm
from heco.aggregation.crosswalks.edm_rules import europeana_problems
from heco.aggregation.crosswalks.namespaces import DC, DCTERMS, EDM, ORE, RDF, WGS84, XML_LANG, q
from heco.aggregation.selectors import with_crosswalk_relations
from heco.core.rights import COPYRIGHT_NOT_EVALUATED
from heco.heritage.models import Asset
from heco.testing.factories import AssetFactory

RES = q(RDF, "resource")


def load(asset):
    return with_crosswalk_relations(Asset.objects.all()).get(pk=asset.pk)


def test_edm_record_validates_and_meets_europeana_rules(rich_asset, edm_schema):
    rdf = edm.build_rdf(load(rich_asset))
    edm_schema.assertValid(etree.ElementTree(rdf))
    assert europeana_problems(rdf) == []


def test_edm_record_carries_every_language_and_the_place(rich_asset):
    rdf = edm.build_rdf(load(rich_asset))
    cho = rdf.find(q(EDM, "ProvidedCHO"))
    titles = {el.get(XML_LANG): el.text for el in cho.findall(q(DC, "title"))}
    assert titles == rich_asset.title
    assert {el.get(XML_LANG) for el in cho.findall(q(DC, "description"))} == {"en", "lt"}
    assert cho.find(q(EDM, "type")).text == "IMAGE"
    assert cho.find(q(DCTERMS, "created")).text == "1879/1880"
    place_uri = common.place_uri(rich_asset)
    assert place_uri in [el.get(RES) for el in cho.findall(q(DCTERMS, "spatial"))]
    place = rdf.find(q(EDM, "Place"))
    assert place.get(q(RDF, "about")) == place_uri
    assert float(place.find(q(WGS84, "lat")).text) == pytest.approx(55.9113)
    assert float(place.find(q(WGS84, "long")).text) == pytest.approx(21.8445)
    same_as = cho.find("{http://www.w3.org/2002/07/owl#}sameAs").get(RES)
    assert same_as == "http://www.wikidata.org/entity/Q3396735"
    assert rdf.find(q(EDM, "TimeSpan")).find(q(EDM, "begin")).text == "1879"


def test_edm_aggregation_links_provider_page_first_image_and_rights(rich_asset, network):
    rdf = edm.build_rdf(load(rich_asset))
    agg = rdf.find(q(ORE, "Aggregation"))
    assert agg.find(q(EDM, "dataProvider")).text == "Plungė Library"
    assert agg.find(q(EDM, "provider")).text == network.name["en"]
    assert agg.find(q(EDM, "isShownAt")).get(RES) == "http://127.0.0.1:8000/en/assets/plunge-manor/"
    first = rich_asset.media.order_by("position").first()
    assert agg.find(q(EDM, "isShownBy")).get(RES) == "http://127.0.0.1:8000" + first.file.url
    assert agg.find(q(EDM, "object")) is not None
    assert agg.find(q(EDM, "rights")).get(RES) == "http://creativecommons.org/licenses/by/4.0/"
    assert len(agg.findall(q(EDM, "hasView"))) == 2
    webs = {w.get(q(RDF, "about")): w for w in rdf.findall(q(EDM, "WebResource"))}
    assert len(webs) == 3
    by_url = {common.media_file_url(m): m for m in rich_asset.media.all()}
    for url, web in webs.items():
        assert web.find(q(EDM, "rights")).get(RES) == by_url[url].rights
        if by_url[url].credit:
            assert web.find(q(DC, "rights")).text == by_url[url].credit


def test_asset_without_media_is_text_with_language_and_copyright_not_evaluated(db, edm_schema):
    asset = AssetFactory(kind="intangible", lat=None, lon=None, summary={})
    rdf = edm.build_rdf(load(asset))
    edm_schema.assertValid(etree.ElementTree(rdf))
    assert europeana_problems(rdf) == []
    cho = rdf.find(q(EDM, "ProvidedCHO"))
    assert cho.find(q(EDM, "type")).text == "TEXT"
    assert cho.find(q(DC, "language")).text == "lt"
    agg = rdf.find(q(ORE, "Aggregation"))
    assert agg.find(q(EDM, "rights")).get(RES) == COPYRIGHT_NOT_EVALUATED
    assert agg.find(q(EDM, "provider")).text == "HE.CO Hub"
    assert agg.find(q(EDM, "isShownBy")) is None


def test_europeana_rules_catch_a_broken_record(rich_asset):
    rdf = edm.build_rdf(load(rich_asset))
    agg = rdf.find(q(ORE, "Aggregation"))
    agg.find(q(EDM, "rights")).set(RES, "http://example.org/all-rights-reserved")
    agg.remove(agg.find(q(EDM, "provider")))
    cho = rdf.find(q(EDM, "ProvidedCHO"))
    for el in cho.findall(q(DC, "title")) + cho.findall(q(DC, "description")):
        cho.remove(el)
    problems = " | ".join(europeana_problems(rdf))
    assert "edm:rights" in problems and "edm:provider" in problems and "dc:title" in problems


def test_oai_dc_is_language_tagged(rich_asset):
    root = dc.build_dc(load(rich_asset))
    titles = {el.get(XML_LANG): el.text for el in root.findall(q(DC, "title"))}
    assert titles == rich_asset.title
    assert all(el.get(XML_LANG) for el in root.findall(q(DC, "description")))
    identifiers = [el.text for el in root.findall(q(DC, "identifier"))]
    assert "http://127.0.0.1:8000/en/assets/plunge-manor/" in identifiers
    assert "http://creativecommons.org/licenses/by/4.0/" in [
        el.text for el in root.findall(q(DC, "rights"))
    ]


texts = st.text(alphabet=st.characters(codec="utf-8"), min_size=0, max_size=40)
language_maps = st.dictionaries(
    st.sampled_from(["en", "lt", "it", "sl", "mt", "nl", "en-GB"]), texts, min_size=1, max_size=4
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    title=language_maps,
    description=language_maps,
    tags=st.lists(st.text(alphabet=string.printable, max_size=10), max_size=3),
    dating=st.text(max_size=20),
)
def test_any_text_gives_well_formed_valid_edm(db, edm_schema, title, description, tags, dating):
    title = {**title, "en": title.get("en") or "x"}  # the model requires some title
    asset = AssetFactory.build(
        title=title,
        description=description,
        tags=tags,
        dating=dating,
        organisation=AssetFactory.build().organisation,
    )
    asset.community = asset.organisation.community
    rdf = edm.build_rdf(asset, common.CrosswalkContext())
    reparsed = etree.fromstring(etree.tostring(rdf))
    edm_schema.assertValid(etree.ElementTree(reparsed))
    dc.build_dc(asset)
