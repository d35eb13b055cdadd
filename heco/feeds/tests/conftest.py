import pytest
from django.core.cache import cache
from django.utils import timezone

from heco.comms.models import Item
from heco.testing.factories import UserFactory


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def approver(db):
    return UserFactory(username="approver")


@pytest.fixture
def make_item(approver):
    def make(org, slug, title, status=Item.Status.PUBLISHED, **extra):
        published = status == Item.Status.PUBLISHED
        return Item.objects.create(
            organisation=org,
            slug=slug,
            title=title,
            status=status,
            approved_by=approver if published else None,
            approved_at=timezone.now() if published else None,
            published_at=extra.pop("published_at", timezone.now() if published else None),
            **extra,
        )

    return make
