"""Shared pytest fixtures: a temporary data dir for media, and named personas."""

import pytest
from hypothesis import settings as hypothesis_settings

from heco.testing.factories import (
    MembershipFactory,
    NetworkFactory,
    OrganisationFactory,
    UserFactory,
)

# property tests check behaviour, not speed: no per-example deadline (on 2 busy cores the
# default 200 ms is missed now and then, which Hypothesis reports as a failure)
hypothesis_settings.register_profile("heco", deadline=None)
hypothesis_settings.load_profile("heco")


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    # personas are created in almost every test: hash their passwords cheaply
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def home_org(db):
    return OrganisationFactory(slug="plunge-library", name={"en": "Plungė Library"})


@pytest.fixture
def other_org(db):
    return OrganisationFactory(slug="piran-museum", name={"en": "Piran Museum"})


@pytest.fixture
def network(db, home_org, other_org):
    net = NetworkFactory(slug="heco-network")
    net.organisations.add(home_org, other_org)
    return net


@pytest.fixture
def editor(db, home_org):
    """Institution editor: edits only the home organisation's records."""
    user = UserFactory(username="editor")
    MembershipFactory(user=user, organisation=home_org, role="editor")
    return user


@pytest.fixture
def coordinator(db, network):
    """Network coordinator: sees and edits every organisation of the network."""
    user = UserFactory(username="coordinator")
    MembershipFactory(user=user, organisation=None, network=network, role="coordinator")
    return user


@pytest.fixture
def volunteer(db, home_org):
    user = UserFactory(username="volunteer", is_staff=False)
    MembershipFactory(user=user, organisation=home_org, role="contributor")
    return user


@pytest.fixture
def partner_business(db):
    business = OrganisationFactory(slug="amber-cafe", kind="business")
    user = UserFactory(username="business")
    MembershipFactory(user=user, organisation=business, role="admin")
    return user


@pytest.fixture
def outsider(db):
    """A logged-in staff user with no membership anywhere."""
    return UserFactory(username="outsider")
