import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from heco.comms.models import Channel, Delivery, Item
from heco.comms.services import (
    item_approve,
    item_create,
    item_schedule,
    item_submit,
    item_update,
)

pytestmark = pytest.mark.django_db


def test_editor_creates_and_submits_an_item_of_their_organisation(make_item, editor):
    item = make_item()
    assert item.status == Item.Status.DRAFT and item.slug == "the-church-reopens"
    item_submit(item=item, user=editor)
    assert item.status == Item.Status.REVIEW and item.submitted_by == editor


def test_editor_of_another_org_cannot_create_or_submit(make_item, other_org):
    from heco.testing.factories import MembershipFactory, UserFactory

    stranger = UserFactory(username="stranger")
    MembershipFactory(user=stranger, organisation=other_org, role="editor")
    item = make_item()
    with pytest.raises(PermissionDenied):
        item_submit(item=item, user=stranger)
    with pytest.raises(PermissionDenied):
        item_create(user=stranger, organisation=item.organisation, title={"en": "x"})


def test_editor_cannot_approve_but_org_admin_and_coordinator_can(
    make_item, editor, org_admin, coordinator
):
    item = make_item()
    item_submit(item=item, user=editor)
    with pytest.raises(PermissionDenied):
        item_approve(item=item, user=editor)
    item_approve(item=item, user=org_admin)
    assert item.approved_by == org_admin and item.approved_at

    other = make_item(title={"en": "Second"})
    item_submit(item=other, user=editor)
    item_approve(item=other, user=coordinator, scheduled_at=timezone.now())
    assert other.status == Item.Status.SCHEDULED and other.approved_by == coordinator


def test_admin_of_another_org_cannot_approve(make_item, editor, partner_business):
    item = make_item()
    item_submit(item=item, user=editor)
    with pytest.raises(PermissionDenied):
        item_approve(item=item, user=partner_business)


def test_scheduling_needs_approval_first(make_item, editor, org_admin):
    item = make_item()
    item_submit(item=item, user=editor)
    with pytest.raises(ValidationError, match="Approve the item"):
        item_schedule(item=item, user=org_admin, scheduled_at=timezone.now())


def test_scheduling_creates_one_delivery_per_channel_with_an_idempotency_key(
    approved_item, org_admin, mastodon_channel, bluesky_channel
):
    item = approved_item()
    item_schedule(item=item, user=org_admin, scheduled_at=timezone.now())
    item_schedule(item=item, user=org_admin, scheduled_at=timezone.now())  # reschedule
    keys = set(Delivery.objects.filter(item=item).values_list("idempotency_key", flat=True))
    assert len(keys) == 2
    assert f"heco-{item.pk.hex}-{mastodon_channel.pk.hex}" in keys


def test_an_image_without_alt_text_blocks_scheduling_with_a_clear_message(
    make_item, editor, image, org_admin, mastodon_channel, bluesky_channel
):
    image.alt_text = {"en": "The church from the south"}  # no Lithuanian alt text
    image.save()
    item = make_item(images=[image])
    item_submit(item=item, user=editor)
    with pytest.raises(ValidationError) as error:
        item_approve(item=item, user=org_admin, scheduled_at=timezone.now())
    [message] = error.value.messages
    assert message == (
        "Bluesky LT: The image “church.png” has no alt text in lt; add it before scheduling."
    )
    item.refresh_from_db()
    assert item.status == Item.Status.REVIEW
    assert not Delivery.objects.filter(item=item).exists()


def test_an_over_long_rendition_is_flagged_before_scheduling(
    make_item, editor, org_admin, home_org, fake_bluesky, mastodon_channel
):
    item = make_item(summary={"en": "Ąžuolas " * 40, "lt": "Ąžuolas " * 40})  # 320 graphemes
    # the Bluesky channel is added after the item was written: scheduling still catches it
    Channel.objects.create(
        organisation=home_org, kind="bluesky", name="Bluesky LT", language="lt",
        base_url=fake_bluesky.url,
    )  # fmt: skip
    item_submit(item=item, user=editor)
    with pytest.raises(ValidationError) as error:
        item_approve(item=item, user=org_admin)
    [message] = error.value.messages
    assert message.startswith("Bluesky LT: The Bluesky post is ")
    assert message.endswith("over the limit of 300.")  # Mastodon's 500 is fine


def test_hashtags_give_way_before_a_post_is_flagged_too_long(make_item, bluesky_channel):
    # fits without hashtags, not with them
    item = make_item(summary={"lt": "a" * 200})
    rendition = bluesky_channel.plugin.render(item, "lt")
    assert rendition.ok and rendition.length <= 300
    assert len(rendition.hashtags) < 3


def test_editing_after_approval_needs_a_new_approval(approved_item, editor):
    item = approved_item()
    item_update(item=item, user=editor, title={"en": "Changed"})
    assert item.approved_by is None


def test_credentials_are_not_stored_in_plaintext(home_org):
    channel = Channel(organisation=home_org, kind="mastodon", name="M", base_url="https://m.test")
    channel.set_credentials({"access_token": "s3cret-token-value"})
    channel.save()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT credentials_encrypted FROM comms_channel WHERE id = %s", [channel.pk.hex]
            if connection.vendor == "sqlite" else [channel.pk]
        )  # fmt: skip
        [raw] = cursor.fetchone()
    assert "s3cret" not in raw and raw.startswith("fernet:")
    assert Channel.objects.get(pk=channel.pk).get_credentials() == {
        "access_token": "s3cret-token-value"
    }


def test_credentials_need_the_right_key(home_org, settings):
    from heco.comms.crypto import CredentialsError

    channel = Channel(organisation=home_org, kind="mastodon", name="M")
    channel.set_credentials({"access_token": "t"})
    settings.HECO_CREDENTIALS_KEY = "another-key"
    with pytest.raises(CredentialsError):
        channel.get_credentials()
    settings.HECO_CREDENTIALS_KEY = f"another-key,{settings.SECRET_KEY}"  # rotation
    assert channel.get_credentials() == {"access_token": "t"}
