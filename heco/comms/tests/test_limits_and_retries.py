"""Post length limits (Bluesky: 300 graphemes and 3,000 UTF-8 bytes; Mastodon: 500 or the
instance's own), Mastodon's rate-limit reset time, and retries that never post twice."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from heco.comms.models import Channel, Delivery, Item
from heco.comms.services import (
    MAX_ATTEMPTS,
    delivery_retry,
    delivery_send,
    item_publish_due,
    item_schedule,
    item_update,
)
from heco.comms.tests.fakes import FakeBluesky

pytestmark = pytest.mark.django_db

FAMILY = "\U0001f469\u200d\U0001f469\u200d\U0001f467"  # one grapheme, 18 bytes in UTF-8


def bluesky(home_org, server, name="Bluesky LT"):
    channel = Channel(
        organisation=home_org, kind="bluesky", name=name, language="lt", base_url=server.url
    )
    channel.set_credentials({"identifier": FakeBluesky.handle, "password": FakeBluesky.password})
    channel.save()
    return channel


def schedule_now(item, user):
    return item_schedule(item=item, user=user, scheduled_at=timezone.now())


# --- 1. length limits ------------------------------------------------------------------------


def test_a_bluesky_post_within_300_graphemes_but_over_3000_bytes_is_flagged(
    make_item, home_org, fake_bluesky
):
    item = make_item(summary={"lt": FAMILY * 200})  # 200 graphemes, 3,600 bytes
    channel = bluesky(home_org, fake_bluesky)

    rendition = channel.plugin.render(item, "lt", channel=channel)

    assert rendition.length <= 300
    assert rendition.byte_length > 3000
    [error] = rendition.errors
    over = rendition.byte_length - 3000
    assert error == (
        f"The Bluesky post is {rendition.byte_length} bytes long in UTF-8, {over} over the "
        "limit of 3000 bytes."
    )


def test_the_grapheme_limit_message_says_how_far_over_it_is(make_item, home_org, fake_bluesky):
    item = make_item(summary={"lt": "Ąžuolas " * 40})  # 320 graphemes
    channel = bluesky(home_org, fake_bluesky)

    rendition = channel.plugin.render(item, "lt", channel=channel)

    over = rendition.length - 300
    assert over > 0
    assert rendition.errors == [
        f"The Bluesky post is {rendition.length} characters long, {over} over the limit of 300."
    ]


def test_saving_an_item_too_long_for_a_channel_is_refused_with_a_form_error(
    client, editor, home_org, asset, bluesky_channel, mastodon_channel
):
    client.force_login(editor)
    data = {
        "organisation": home_org.pk,
        "kind": "news",
        "title_en": "The church reopens",
        "title_lt": "Bažnyčia vėl atvira",
        "summary_lt": FAMILY * 200,
        "assets": [asset.pk],
    }

    response = client.post(reverse("comms:item-add"), data)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Bluesky LT: The Bluesky post is" in page
    assert "over the limit of 3000 bytes" in page
    assert not Item.objects.exists()

    data["summary_lt"] = "Ąžuolas " * 40
    page = client.post(reverse("comms:item-add"), data).content.decode()
    assert "characters long" in page and "over the limit of 300." in page
    assert not Item.objects.exists()

    data["summary_lt"] = "Ąžuolinis stogas atnaujintas."
    assert client.post(reverse("comms:item-add"), data).status_code == 302
    assert Item.objects.count() == 1


def test_the_service_refuses_an_update_that_makes_a_post_too_long(
    make_item, editor, bluesky_channel
):
    item = make_item()

    with pytest.raises(ValidationError) as error:
        item_update(item=item, user=editor, summary={"lt": FAMILY * 200})

    assert "over the limit of 3000 bytes" in str(error.value)
    item.refresh_from_db()
    assert item.summary["lt"] == "Ateikite pamatyti atnaujinto stogo."


def test_a_post_that_became_too_long_fails_at_delivery_with_a_clear_error(
    approved_item, org_admin, bluesky_channel, fake_bluesky
):
    item = approved_item()
    schedule_now(item, org_admin)
    # changed behind the workflow's back (e.g. in the admin) after scheduling
    Item.objects.filter(pk=item.pk).update(summary={"lt": FAMILY * 200})

    item_publish_due()

    delivery = Delivery.objects.get(item=item)
    assert delivery.status == Delivery.Status.FAILED and delivery.attempts == 1
    assert "over the limit of 3000 bytes" in delivery.last_error
    assert fake_bluesky.calls("POST", "/xrpc/com.atproto.repo.createRecord") == []
    item.refresh_from_db()
    assert item.status == Item.Status.FAILED


def test_the_bluesky_plugin_refuses_an_over_long_text_before_sending(
    approved_item, org_admin, bluesky_channel, fake_bluesky
):
    from heco.comms.channels.base import PublishError

    item = approved_item()
    rendition = bluesky_channel.plugin.render(item, "lt", channel=bluesky_channel)
    rendition.text = "é" * 301

    with pytest.raises(PublishError) as error:
        bluesky_channel.plugin.publish(bluesky_channel, rendition, "heco-test")

    assert not error.value.retryable
    assert "300" in str(error.value)
    assert fake_bluesky.requests == []


def test_a_mastodon_instance_with_a_higher_limit_is_honoured(
    make_item, home_org, editor, fake_mastodon
):
    channel = Channel(
        organisation=home_org, kind="mastodon", name="Big instance", language="en",
        base_url=fake_mastodon.url, max_length=1000,
    )  # fmt: skip
    channel.full_clean()
    channel.save()
    item = make_item(summary={"en": "word " * 140})  # about 700 characters

    rendition = channel.plugin.render(item, "en", channel=channel)

    assert rendition.ok and rendition.limit == 1000 and 500 < rendition.length <= 1000
    channel.max_length = None
    channel.save()
    with pytest.raises(ValidationError, match="over the limit of 500"):
        item_update(item=item, user=editor, title={"en": "Changed"})


def test_only_mastodon_channels_take_their_own_limit(home_org):
    channel = Channel(organisation=home_org, kind="bluesky", name="B", max_length=500)
    with pytest.raises(ValidationError) as error:
        channel.full_clean()
    assert "max_length" in error.value.message_dict


# --- 2. Mastodon rate limit -----------------------------------------------------------------


def test_a_mastodon_429_waits_for_retry_after(
    approved_item, org_admin, mastodon_channel, fake_mastodon
):
    item = approved_item()
    schedule_now(item, org_admin)
    fake_mastodon.fail_next("/api/v1/statuses", 429, headers={"Retry-After": "7200"})
    now = timezone.now()

    item_publish_due(now=now)

    delivery = Delivery.objects.get(item=item)
    assert delivery.status == Delivery.Status.PENDING
    assert delivery.next_attempt_at == now + dt.timedelta(hours=2)
    assert "rate limit" in delivery.last_error.lower()
    item_publish_due(now=now + dt.timedelta(minutes=30))  # back-off alone would send now
    assert len(fake_mastodon.calls("POST", "/api/v1/statuses")) == 1

    item_publish_due(now=now + dt.timedelta(hours=2, seconds=1))

    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT and len(fake_mastodon.posted()) == 1


def test_a_mastodon_429_waits_for_the_rate_limit_reset_time(
    approved_item, org_admin, mastodon_channel, fake_mastodon
):
    item = approved_item()
    schedule_now(item, org_admin)
    # as Mastodon sends it: ISO 8601 in the server's clock (its Date header)
    reset = (dt.datetime.now(dt.UTC) + dt.timedelta(minutes=90)).isoformat(timespec="microseconds")
    headers = {"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "0",
               "X-RateLimit-Reset": reset.replace("+00:00", "Z")}  # fmt: skip
    fake_mastodon.fail_next("/api/v1/statuses", 429, headers=headers)
    now = timezone.now()

    delivery = delivery_send(delivery_id=Delivery.objects.get(item=item).pk, now=now)

    assert delivery.status == Delivery.Status.PENDING
    wait = delivery.next_attempt_at - now
    assert dt.timedelta(minutes=89) < wait < dt.timedelta(minutes=91)


# --- 3. retries that never post twice -------------------------------------------------------


def test_a_staff_retry_more_than_an_hour_later_does_not_post_twice(
    approved_item, org_admin, mastodon_channel, fake_mastodon
):
    """The first attempt reached Mastodon, but its answer was lost (a gateway timeout); the
    next attempts failed, the delivery gave up. Two hours later Mastodon has forgotten the
    Idempotency-Key (it keeps one for an hour): a staff retry must find the post, not post
    again."""
    item = approved_item()
    schedule_now(item, org_admin)
    delivery = Delivery.objects.get(item=item)
    fake_mastodon.swallow_next = 1  # posts, then answers 504
    fake_mastodon.fail_next("/api/v1/statuses", *([503] * (MAX_ATTEMPTS - 1)))
    now = timezone.now()
    for attempt in range(MAX_ATTEMPTS):
        delivery_send(delivery_id=delivery.pk, now=now + dt.timedelta(minutes=20 * attempt))
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED
    assert len(fake_mastodon.posted()) == 1  # it went out nonetheless

    later = now + dt.timedelta(hours=2)
    fake_mastodon.clock_offset = dt.timedelta(hours=2)
    delivery_retry(delivery=delivery, user=org_admin)
    delivery = delivery_send(delivery_id=delivery.pk, now=later)

    assert len(fake_mastodon.posted()) == 1
    assert delivery.status == Delivery.Status.SENT
    assert delivery.remote_id == fake_mastodon.posted()[0]["id"]
    assert delivery.remote_url == fake_mastodon.posted()[0]["url"]
    assert delivery.log[-1]["event"] == "found"
    item.refresh_from_db()
    assert item.status == Item.Status.PUBLISHED


def test_a_retry_within_the_hour_still_relies_on_the_idempotency_key(
    approved_item, org_admin, mastodon_channel, fake_mastodon
):
    item = approved_item()
    schedule_now(item, org_admin)
    delivery = Delivery.objects.get(item=item)
    fake_mastodon.swallow_next = 1
    now = timezone.now()

    delivery_send(delivery_id=delivery.pk, now=now)
    delivery = delivery_send(delivery_id=delivery.pk, now=now + dt.timedelta(minutes=2))

    assert delivery.status == Delivery.Status.SENT and len(fake_mastodon.posted()) == 1
    assert fake_mastodon.calls("GET", "/api/v1/accounts/verify_credentials") == []


def test_a_retry_is_refused_while_an_attempt_is_in_flight(
    approved_item, org_admin, mastodon_channel, fake_mastodon
):
    item = approved_item()
    schedule_now(item, org_admin)
    delivery = Delivery.objects.get(item=item)
    Delivery.objects.filter(pk=delivery.pk).update(status="failed", attempts=MAX_ATTEMPTS)
    # two staff pages (two people, or two tabs) loaded while it was failed
    first_page, second_page = (Delivery.objects.get(pk=delivery.pk) for _ in range(2))
    delivery_retry(delivery=first_page, user=org_admin)
    # a worker claims it and is sending right now
    Delivery.objects.filter(pk=delivery.pk).update(
        status="sending", attempts=1, claimed_until=timezone.now() + dt.timedelta(minutes=5)
    )

    with pytest.raises(ValidationError, match="still in progress"):
        delivery_retry(delivery=second_page, user=org_admin)

    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENDING and delivery.attempts == 1


def test_a_delivery_with_a_recorded_post_is_never_posted_again(
    approved_item, org_admin, mastodon_channel, fake_mastodon
):
    item = approved_item()
    schedule_now(item, org_admin)
    delivery = delivery_send(delivery_id=Delivery.objects.get(item=item).pk)
    assert delivery.remote_id
    Delivery.objects.filter(pk=delivery.pk).update(status="failed")  # however it got there

    with pytest.raises(ValidationError, match="already posted"):
        delivery_retry(delivery=Delivery.objects.get(pk=delivery.pk), user=org_admin)

    Delivery.objects.filter(pk=delivery.pk).update(status="pending")
    delivery = delivery_send(delivery_id=delivery.pk)
    assert delivery.status == Delivery.Status.SENT
    assert len(fake_mastodon.calls("POST", "/api/v1/statuses")) == 1


@pytest.mark.django_db(transaction=True)
def test_a_late_failure_of_an_old_attempt_does_not_overwrite_a_newer_one(
    approved_item, org_admin, mastodon_channel, fake_mastodon
):
    """Attempt 1 outlives its lease (Mastodon is slow to answer); meanwhile a second worker
    claims the delivery and posts. Attempt 1's gateway timeout, recorded last, must not turn
    the delivery back to pending (which would post again later)."""
    from django.db import connection

    item = approved_item()
    schedule_now(item, org_admin)
    delivery = Delivery.objects.get(item=item)
    now = timezone.now()

    def second_worker(request):  # runs in the server's thread, while attempt 1 waits
        try:
            delivery_send(delivery_id=delivery.pk, now=now + dt.timedelta(minutes=6))
        finally:
            connection.close()

    fake_mastodon.before_next["/api/v1/statuses"] = second_worker
    fake_mastodon.fail_next("/api/v1/statuses", 504)

    delivery = delivery_send(delivery_id=delivery.pk, now=now)

    assert delivery.status == Delivery.Status.SENT and delivery.attempts == 2
    assert len(fake_mastodon.posted()) == 1
    assert delivery.log[-1]["event"] == "late-failure"
    assert delivery.next_attempt_at is None
