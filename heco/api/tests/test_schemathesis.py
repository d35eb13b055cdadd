"""Property-based tests generated from our own OpenAPI description (schemathesis).

Every operation is called in-process through the WSGI application with generated valid and
invalid parameters; no answer may be a server error, and every answer must match its
documented status codes and response schema. We leave out the "schema-valid request
rejected" check: some rules span several parameters (lat needs lon, bbox minLon <= maxLon)
and OpenAPI cannot express them for query parameters, so a 422 there is correct.

(The schema is loaded at import time: schemathesis' ``from_fixture`` does not work with
pytest 9. Producing openapi.json needs no database.)
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import negative_data_rejection, positive_data_acceptance

from heco.testing.factories import AssetFactory, EventFactory, ServiceFactory
from heco.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@pytest.fixture
def some_records(db):
    # Called through the bare WSGI handler, each request would end with
    # close_old_connections(), closing the test transaction's connection on PostgreSQL.
    # Django's test Client disconnects it the same way.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    asset = AssetFactory(themes=["public-space"])
    ServiceFactory(asset=asset)
    EventFactory(asset=asset)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,  # the same examples on every run: CI is reproducible
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_api_never_answers_5xx_and_matches_its_schema(case, some_records):
    response = case.call()
    assert response.status_code < 500, (case.path, case.query, response.text[:500])
    # Cross-parameter rules (lat needs lon) and lenient slug parsing cannot be expressed in
    # OpenAPI, so "valid by schema" and "invalid by schema" are not judged; 5xx and the shape
    # of every response are.
    case.validate_response(
        response, excluded_checks=[positive_data_acceptance, negative_data_rejection]
    )
