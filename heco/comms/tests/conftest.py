import io

import pytest
from django.core.files.base import ContentFile
from PIL import Image

from heco.comms.models import Channel
from heco.comms.services import item_approve, item_create, item_submit
from heco.comms.tests.fakes import FakeBluesky, FakeMastodon
from heco.heritage.models import Media
from heco.testing.factories import AssetFactory, MembershipFactory, UserFactory


@pytest.fixture
def fake_mastodon():
    with FakeMastodon() as server:
        yield server


@pytest.fixture
def fake_bluesky():
    with FakeBluesky() as server:
        yield server


@pytest.fixture
def org_admin(db, home_org):
    """Organisation admin of the home organisation: approves and schedules."""
    user = UserFactory(username="orgadmin")
    MembershipFactory(user=user, organisation=home_org, role="admin")
    return user


@pytest.fixture
def asset(home_org):
    return AssetFactory(
        organisation=home_org,
        slug="wooden-church",
        title={"en": "Wooden church", "lt": "Medinė bažnyčia"},
        tags=["wooden architecture", "Žemaitija"],
        themes=["public-space"],
    )


def png_bytes(colour=(200, 30, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), colour).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def image(asset):
    media = Media(
        asset=asset,
        kind="image",
        rights="http://creativecommons.org/licenses/by/4.0/",
        alt_text={"en": "The wooden church seen from the south", "lt": "Medinė bažnyčia iš pietų"},
    )
    media.file.save("church.png", ContentFile(png_bytes()), save=False)
    media.save()
    return media


@pytest.fixture
def mastodon_channel(home_org, fake_mastodon):
    channel = Channel(
        organisation=home_org, kind="mastodon", name="Mastodon EN", language="en",
        base_url=fake_mastodon.url, account="@museum@127.0.0.1",
    )  # fmt: skip
    channel.set_credentials({"access_token": FakeMastodon.token})
    channel.save()
    return channel


@pytest.fixture
def bluesky_channel(home_org, fake_bluesky):
    channel = Channel(
        organisation=home_org, kind="bluesky", name="Bluesky LT", language="lt",
        base_url=fake_bluesky.url, account=FakeBluesky.handle,
    )  # fmt: skip
    channel.set_credentials({"identifier": FakeBluesky.handle, "password": FakeBluesky.password})
    channel.save()
    return channel


@pytest.fixture
def make_item(home_org, editor, asset):
    def make(**fields):
        fields.setdefault("title", {"en": "The church reopens", "lt": "Bažnyčia vėl atvira"})
        fields.setdefault(
            "summary",
            {"en": "Come and see the restored roof.", "lt": "Ateikite pamatyti atnaujinto stogo."},
        )
        fields.setdefault("assets", [asset])
        return item_create(user=editor, organisation=home_org, **fields)

    return make


@pytest.fixture
def approved_item(make_item, editor, org_admin):
    def make(**fields):
        item = make_item(**fields)
        item_submit(item=item, user=editor)
        return item_approve(item=item, user=org_admin)

    return make
