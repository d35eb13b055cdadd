import pytest

from heco.search.base import FacetValue, SearchResult


def test_search_finds_assets_and_shows_facets_with_counts(client, indexed):
    html = client.get("/en/search/?q=dvaras").content.decode()
    assert "Oginskių dvaras" in html
    assert "Far away castle" not in html
    html = client.get("/en/search/").content.decode()
    assert "3 heritage assets found" in html
    assert 'name="kind" value="building"' in html
    assert 'Building <span class="count">(2)</span>' in html  # manor + far castle
    assert "Lithuania" in html  # country facet label from CLDR


def test_search_filters_are_shareable_get_urls(client, indexed):
    html = client.get("/en/search/?kind=monument").content.decode()
    assert "1 heritage asset found" in html
    assert "Manor chapel" in html and "Far away castle" not in html
    assert 'id="f-kind-monument" name="kind" value="monument" checked' in html
    html = client.get("/en/search/?period=1650..1760").content.decode()
    assert "Manor chapel" in html and "Oginskių dvaras" not in html


def test_country_labels_follow_the_visitor_language(client, indexed):
    assert "Lietuva" in client.get("/lt/search/").content.decode()


def test_htmx_request_gets_only_the_results_region(client, indexed):
    response = client.get("/en/search/?kind=monument", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="search-region"')
    assert "<html" not in html
    assert "HX-Request" in response["Vary"]


def test_search_form_is_enhanced_by_htmx_and_works_without_it(client, indexed):
    html = client.get("/en/search/").content.decode()
    assert 'method="get" action="/en/search/"' in html
    assert 'hx-get="/en/search/" hx-target="#search-region"' in html
    assert 'hx-push-url="true"' in html
    assert 'src="/static/django_htmx/htmx-2.min.js"' in html


def test_map_view_puts_results_in_a_map_data_block(client, indexed):
    html = client.get("/en/search/?view=map").content.decode()
    assert 'id="search-map-data"' in html
    assert "/en/assets/oginskiai-manor/" in html


@pytest.mark.parametrize(
    "query,status,message",
    [
        ("kind=spaceship", 400, "Select a valid choice"),
        ("theme=nope", 400, "Select a valid choice"),
        ("country=Lithuania", 400, "is not a country code"),
        ("community=not%20a%20slug!", 400, "is not a valid name"),
        ("page=abc", 400, "The page must be a whole number"),
        ("page=0", 400, "Page"),
        ("page=999999999", 400, "Page"),
        ("q=" + "a" * 2000, 400, "The search text is too long"),
        ("period=last+tuesday", 400, "Enter a period as two years"),
        ("period=1800..1700", 400, "must not be after"),
        ("page=50", 404, "There is no page 50"),
        ("view=globe", 400, "Select a valid choice"),
    ],
)
def test_bad_search_input_gets_a_clear_message_not_an_error(
    client, indexed, query, status, message
):
    response = client.get(f"/en/search/?{query}")
    assert response.status_code == status
    html = response.content.decode()
    assert message in html
    assert 'class="error-summary"' in html


def test_unknown_but_well_formed_facet_values_find_nothing(client, indexed):
    response = client.get("/en/search/?community=atlantis")
    assert response.status_code == 200
    assert "0 heritage assets found" in response.content.decode()


def test_approximate_counts_are_labelled(client, indexed, monkeypatch):
    import sys

    search_view = sys.modules["heco.site.views.search"]

    manor = indexed["manor"]

    def fake(query):
        return SearchResult(
            ids=[manor.id],
            total=120000,
            total_exact=False,
            facets={"kind": [FacetValue("building", 90000)]},
            facets_exact=False,
        )

    monkeypatch.setattr(search_view, "run_search", fake)
    html = client.get("/en/search/").content.decode()
    assert "About 120000 heritage assets found" in html
    assert "(about 90000)" in html
    assert "Counts are approximate" in html


def test_period_facet_links_to_century_ranges(client, indexed):
    html = client.get("/en/search/").content.decode()
    assert "period=1700..1799" in html
    assert "1700–1799" in html
