"""Fixtures for the read API tests: a client that answers JSON, and small record sets."""

import pytest
from django.test import Client

from heco.core.models import Status
from heco.testing.factories import (
    AssetFactory,
    CommunityFactory,
    EventFactory,
    NetworkFactory,
    OrganisationFactory,
    ServiceFactory,
)

API = "/api/v1"


class ApiClient:
    def __init__(self):
        self.client = Client()

    def get(self, path, params=None, status=200):
        response = self.client.get(f"{API}{path}", params or {})
        assert response.status_code == status, (response.status_code, response.content[:2000])
        return (
            response.json()
            if response.get("Content-Type", "").startswith("application/json")
            else response
        )


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = "http://127.0.0.1:8000"


@pytest.fixture
def api(db):
    return ApiClient()


def error_fields(body) -> set[str]:
    """The parameter names a 422 answer blames."""
    return {str(error["loc"][1]) for error in body["detail"] if len(error["loc"]) > 1}


@pytest.fixture
def places(db):
    """Two countries: Plungė (LT) and Piran (SI), one organisation each."""
    plunge = CommunityFactory(
        slug="plunge", name={"lt": "Plungė", "en": "Plunge"}, country="LT", lat=55.91, lon=21.84
    )
    piran = CommunityFactory(
        slug="piran",
        name={"sl": "Piran", "it": "Pirano"},
        country="SI",
        default_language="sl",
        lat=45.53,
        lon=13.57,
    )
    library = OrganisationFactory(slug="plunge-library", community=plunge)
    museum = OrganisationFactory(slug="piran-museum", community=piran, lat=45.53, lon=13.57)
    partners = NetworkFactory(slug="heco-partners", name={"en": "HE.CO partners"})
    partners.organisations.add(library, museum)
    return {
        "plunge": plunge,
        "piran": piran,
        "library": library,
        "museum": museum,
        "network": partners,
    }


@pytest.fixture
def catalogue(places):
    """Four published assets, one draft, one tombstone."""
    manor = AssetFactory(
        slug="plunge-manor",
        title={"lt": "Plungės dvaras", "en": "Plungė Manor"},
        organisation=places["library"],
        kind="building",
        themes=["public-space", "adult-education"],
        lat=55.911,
        lon=21.845,
    )
    park = AssetFactory(
        slug="manor-park",
        title={"lt": "Dvaro parkas"},
        organisation=places["library"],
        kind="landscape",
        themes=["public-space"],
        lat=55.915,
        lon=21.85,
    )
    tower = AssetFactory(
        slug="piran-town-walls",
        title={"sl": "Mestno obzidje", "it": "Mura di Pirano"},
        organisation=places["museum"],
        kind="monument",
        themes=["entrepreneurship"],
        lat=45.527,
        lon=13.571,
    )
    lace = AssetFactory(
        slug="piran-lace",
        title={"sl": "Piranska čipka"},
        organisation=places["museum"],
        kind="intangible",
        lat=None,
        lon=None,
    )
    draft = AssetFactory(slug="secret-draft", organisation=places["library"], status=Status.DRAFT)
    gone = AssetFactory(slug="demolished", organisation=places["library"])
    gone.tombstone()
    gone.save()
    return {
        "manor": manor,
        "park": park,
        "tower": tower,
        "lace": lace,
        "draft": draft,
        "gone": gone,
    }


@pytest.fixture
def programme(places, catalogue):
    tour = ServiceFactory(
        slug="manor-tour",
        name={"lt": "Ekskursija", "en": "Manor tour"},
        organisation=places["library"],
        asset=catalogue["manor"],
    )
    hidden_place = ServiceFactory(
        slug="draft-place-tour", organisation=places["library"], asset=catalogue["draft"]
    )
    draft_service = ServiceFactory(
        slug="draft-service", organisation=places["library"], status=Status.DRAFT
    )
    concert = EventFactory(
        slug="manor-concert",
        title={"lt": "Koncertas"},
        organisation=places["library"],
        asset=catalogue["manor"],
        venue=places["library"],
    )
    draft_event = EventFactory(
        slug="draft-event", organisation=places["library"], status=Status.REVIEW
    )
    return {
        "tour": tour,
        "hidden_place": hidden_place,
        "draft_service": draft_service,
        "concert": concert,
        "draft_event": draft_event,
    }
