"""OpenAPI description and the docs page (served without any CDN)."""

import json

from heco.api.tests.conftest import API

PATHS = {
    "/api/v1/assets",
    "/api/v1/assets/{id}",
    "/api/v1/search",
    "/api/v1/organisations",
    "/api/v1/organisations/{id}",
    "/api/v1/communities",
    "/api/v1/communities/{id}",
    "/api/v1/networks",
    "/api/v1/networks/{id}",
    "/api/v1/services",
    "/api/v1/services/{id}",
    "/api/v1/events",
    "/api/v1/events/{id}",
    "/api/v1/events/occurrences",
    "/api/v1/export/csv",
    "/api/v1/export/xlsx",
    "/api/v1/export/geojson",
}


def test_openapi_json_is_valid_json_with_every_path(client, db):
    response = client.get(f"{API}/openapi.json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    assert schema["openapi"].startswith("3.")
    assert PATHS <= set(schema["paths"])
    for path in PATHS:
        assert set(schema["paths"][path]) == {"get"}, path


def test_openapi_documents_validation_errors_and_language_fields(client, db):
    schema = client.get(f"{API}/openapi.json").json()
    assets = schema["paths"]["/api/v1/assets"]["get"]
    assert "422" in assets["responses"]
    params = {p["name"] for p in assets["parameters"]}
    assert {"q", "country", "community", "organisation", "kind", "theme", "bbox"} <= params
    assert {"lat", "lon", "radius", "limit", "offset", "lang"} <= params
    item = schema["components"]["schemas"]["AssetItem"]["properties"]
    assert {"title", "title_text", "title_lang"} <= set(item)
    assert "_text" in schema["info"]["description"]


def test_docs_page_loads_swagger_from_our_own_server(client, db):
    response = client.get(f"{API}/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "cdn." not in html and "https://" not in html
    assert 'href="/api/v1/openapi.json"' in html  # the no-JavaScript link
    for asset in ("swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-init.js"):
        assert f"{API}/docs/assets/{asset}" in html
        served = client.get(f"{API}/docs/assets/{asset}")
        assert served.status_code == 200, asset
        assert b"".join(served.streaming_content)


def test_docs_assets_serve_only_the_swagger_files(client, db):
    assert client.get(f"{API}/docs/assets/__init__.py").status_code == 404
    assert client.get(f"{API}/docs/assets/..%2F__init__.py").status_code == 404
