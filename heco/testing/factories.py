"""factory_boy factories shared by every app's tests."""

import datetime as dt

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from heco.core.models import Status
from heco.heritage.models import Asset, ExternalIdentifier
from heco.network.models import Community, Membership, Network, Organisation
from heco.programme.models import Event, Service


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    password = factory.django.Password("correct horse battery staple")
    is_staff = True


class CommunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Community

    slug = factory.Sequence(lambda n: f"community-{n}")
    name = factory.LazyAttribute(lambda o: {"en": o.slug.replace("-", " ").title()})
    kind = Community.Kind.MUNICIPALITY
    country = "LT"
    default_language = "lt"
    lat = 55.95
    lon = 21.85


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    slug = factory.Sequence(lambda n: f"organisation-{n}")
    name = factory.LazyAttribute(lambda o: {"en": o.slug.replace("-", " ").title()})
    kind = Organisation.Kind.MUSEUM
    community = factory.SubFactory(CommunityFactory)
    lat = 55.95
    lon = 21.85


class NetworkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Network

    slug = factory.Sequence(lambda n: f"network-{n}")
    name = factory.LazyAttribute(lambda o: {"en": o.slug.replace("-", " ").title()})


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = "editor"


class AssetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Asset

    slug = factory.Sequence(lambda n: f"asset-{n}")
    title = factory.LazyAttribute(lambda o: {"en": o.slug.replace("-", " ").title()})
    summary = {"en": "A heritage asset used in tests."}
    kind = Asset.Kind.BUILDING
    organisation = factory.SubFactory(OrganisationFactory)
    community = factory.LazyAttribute(lambda o: o.organisation.community)
    lat = 55.95
    lon = 21.85
    status = Status.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)


class ExternalIdentifierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExternalIdentifier

    asset = factory.SubFactory(AssetFactory)
    scheme = "wikidata"
    value = factory.Sequence(lambda n: f"Q{1000 + n}")


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service

    slug = factory.Sequence(lambda n: f"service-{n}")
    name = factory.LazyAttribute(lambda o: {"en": o.slug.replace("-", " ").title()})
    kind = Service.Kind.GUIDED_TOUR
    organisation = factory.SubFactory(OrganisationFactory)
    opening_hours = "Mo-Su 09:00-18:00"
    status = Status.PUBLISHED


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    slug = factory.Sequence(lambda n: f"event-{n}")
    title = factory.LazyAttribute(lambda o: {"en": o.slug.replace("-", " ").title()})
    start = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=3))
    end = factory.LazyAttribute(lambda o: o.start + dt.timedelta(hours=2))
    organisation = factory.SubFactory(OrganisationFactory)
    status = Status.PUBLISHED
