import datetime as dt
import json

import pytest
from django.utils import timezone

from heco.comms.models import Delivery, Item
from heco.comms.services import MAX_ATTEMPTS, delivery_send, item_publish_due, item_schedule

pytestmark = pytest.mark.django_db


def schedule_now(item, user, when=None):
    return item_schedule(item=item, user=user, scheduled_at=when or timezone.now())


def test_mastodon_post_goes_out_with_alt_text_language_and_idempotency_key(
    approved_item, image, mastodon_channel, fake_mastodon, org_admin
):
    item = approved_item(images=[image])
    schedule_now(item, org_admin)

    item_publish_due()

    [media] = fake_mastodon.calls("POST", "/api/v2/media")
    assert media.form["description"] == "The wooden church seen from the south"
    assert media.files["file"][1].startswith(b"\x89PNG")
    [post] = fake_mastodon.calls("POST", "/api/v1/statuses")
    delivery = Delivery.objects.get(item=item, channel=mastodon_channel)
    assert post.headers["idempotency-key"] == delivery.idempotency_key
    assert post.form["language"] == "en"
    assert post.form["status"].startswith("The church reopens\n\nCome and see the restored roof.")
    assert "/en/news/the-church-reopens/" in post.form["status"]  # the item's own news page
    assert "#WoodenArchitecture #Žemaitija #PublicSpace" in post.form["status"]
    assert delivery.status == Delivery.Status.SENT
    status = fake_mastodon.posted()[0]
    assert delivery.remote_url == status["url"]
    assert delivery.log[-1]["event"] == "sent" and delivery.log[-1]["url"] == status["url"]
    item.refresh_from_db()
    assert item.status == Item.Status.PUBLISHED and item.published_at


def test_bluesky_record_has_byte_offset_facets_langs_and_image_alt(
    approved_item, image, bluesky_channel, fake_bluesky, org_admin
):
    item = approved_item(
        title={"lt": "Žemaitijos bažnyčia"},
        summary={"lt": "Ąžuolinis stogas 👩‍👩‍👧 atnaujintas."},
        images=[image],
    )
    schedule_now(item, org_admin)

    item_publish_due()

    calls = [r.path.removeprefix("/xrpc/") for r in fake_bluesky.requests]
    assert calls == [
        "com.atproto.server.createSession",
        "com.atproto.repo.getRecord",
        "com.atproto.repo.uploadBlob",
        "com.atproto.repo.createRecord",
    ]
    [create] = fake_bluesky.calls("POST", "/xrpc/com.atproto.repo.createRecord")
    record = create.form["record"]
    assert create.form["collection"] == "app.bsky.feed.post"
    assert record["langs"] == ["lt"]
    text_bytes = record["text"].encode("utf-8")
    by_kind = {}
    for facet in record["facets"]:
        feature = facet["features"][0]
        piece = text_bytes[facet["index"]["byteStart"] : facet["index"]["byteEnd"]].decode()
        by_kind.setdefault(feature["$type"], []).append((piece, feature))
    [(link_text, link)] = by_kind["app.bsky.richtext.facet#link"]
    assert link_text == link["uri"] and link_text.endswith("/lt/news/zemaitijos-baznycia/")
    tags = [(text, f["tag"]) for text, f in by_kind["app.bsky.richtext.facet#tag"]]
    assert tags == [
        ("#WoodenArchitecture", "WoodenArchitecture"),
        ("#Žemaitija", "Žemaitija"),
        ("#PublicSpace", "PublicSpace"),
    ]
    [embedded] = record["embed"]["images"]
    assert embedded["alt"] == "Medinė bažnyčia iš pietų"
    assert record["embed"]["$type"] == "app.bsky.embed.images"
    delivery = Delivery.objects.get(item=item)
    assert delivery.status == Delivery.Status.SENT
    assert delivery.remote_url.startswith("https://bsky.app/profile/museum.test/post/")
    assert delivery.remote_id == f"at://{fake_bluesky.did}/app.bsky.feed.post/{create.form['rkey']}"


def test_a_failed_delivery_is_retried_with_backoff_and_reported(
    approved_item, mastodon_channel, fake_mastodon, org_admin
):
    item = approved_item()
    schedule_now(item, org_admin)
    fake_mastodon.fail_next("/api/v1/statuses", 500)
    now = timezone.now()

    item_publish_due(now=now)

    delivery = Delivery.objects.get(item=item)
    assert delivery.status == Delivery.Status.PENDING
    assert delivery.attempts == 1
    assert "500" in delivery.last_error or "boom" in delivery.last_error
    assert delivery.next_attempt_at == now + dt.timedelta(minutes=1)
    assert delivery.log[-1]["event"] == "retry"
    item.refresh_from_db()
    assert item.status == Item.Status.SCHEDULED

    item_publish_due(now=now + dt.timedelta(seconds=30))  # back-off not over: nothing sent
    assert len(fake_mastodon.calls("POST", "/api/v1/statuses")) == 1

    item_publish_due(now=now + dt.timedelta(minutes=2))

    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT and delivery.attempts == 2
    assert len(fake_mastodon.posted()) == 1
    assert [entry["event"] for entry in delivery.log] == ["retry", "sent"]
    item.refresh_from_db()
    assert item.status == Item.Status.PUBLISHED


def test_sending_twice_posts_once(approved_item, mastodon_channel, fake_mastodon, org_admin):
    item = approved_item()
    schedule_now(item, org_admin)
    delivery = Delivery.objects.get(item=item)

    delivery_send(delivery_id=delivery.pk)
    delivery_send(delivery_id=delivery.pk)
    item_publish_due()

    assert len(fake_mastodon.calls("POST", "/api/v1/statuses")) == 1
    assert len(fake_mastodon.posted()) == 1


def test_a_crash_after_posting_does_not_post_again(
    approved_item, mastodon_channel, fake_mastodon, org_admin
):
    """The worker died after Mastodon accepted the post but before we recorded it: the lease
    runs out, the retry sends the same Idempotency-Key, Mastodon returns the first status."""
    item = approved_item()
    schedule_now(item, org_admin)
    delivery = Delivery.objects.get(item=item)
    delivery_send(delivery_id=delivery.pk)
    Delivery.objects.filter(pk=delivery.pk).update(
        status="sending", remote_id="", remote_url="", sent_at=None,
        claimed_until=timezone.now() + dt.timedelta(minutes=5),
    )  # fmt: skip

    later = timezone.now() + dt.timedelta(minutes=10)
    delivery = delivery_send(delivery_id=delivery.pk, now=later)

    assert len(fake_mastodon.calls("POST", "/api/v1/statuses")) == 2
    assert len(fake_mastodon.posted()) == 1
    assert delivery.status == Delivery.Status.SENT
    assert delivery.remote_url == fake_mastodon.posted()[0]["url"]


def test_bluesky_retry_after_unrecorded_success_reports_the_existing_post(
    approved_item, bluesky_channel, fake_bluesky, org_admin
):
    item = approved_item()
    schedule_now(item, org_admin)
    delivery = Delivery.objects.get(item=item)
    delivery_send(delivery_id=delivery.pk)
    Delivery.objects.filter(pk=delivery.pk).update(
        status="sending", remote_id="", remote_url="", sent_at=None,
        claimed_until=timezone.now() + dt.timedelta(minutes=5),
    )  # fmt: skip

    delivery = delivery_send(delivery_id=delivery.pk, now=timezone.now() + dt.timedelta(hours=1))

    assert len(fake_bluesky.records) == 1
    assert len(fake_bluesky.calls("POST", "/xrpc/com.atproto.repo.createRecord")) == 1
    assert delivery.status == Delivery.Status.SENT


def test_a_delivery_gives_up_after_max_attempts_and_the_item_fails(
    approved_item, mastodon_channel, fake_mastodon, org_admin
):
    item = approved_item()
    schedule_now(item, org_admin)
    fake_mastodon.fail_next("/api/v1/statuses", *([503] * MAX_ATTEMPTS))
    now = timezone.now()
    for attempt in range(MAX_ATTEMPTS):
        item_publish_due(now=now + dt.timedelta(days=attempt))

    delivery = Delivery.objects.get(item=item)
    assert delivery.status == Delivery.Status.FAILED
    assert delivery.attempts == MAX_ATTEMPTS
    assert delivery.last_error
    assert fake_mastodon.posted() == []
    item.refresh_from_db()
    assert item.status == Item.Status.FAILED


def test_a_refused_token_fails_at_once_without_retry(
    approved_item, mastodon_channel, fake_mastodon, org_admin
):
    mastodon_channel.set_credentials({"access_token": "wrong"})
    mastodon_channel.save()
    item = approved_item()
    schedule_now(item, org_admin)

    item_publish_due()

    delivery = Delivery.objects.get(item=item)
    assert delivery.status == Delivery.Status.FAILED and delivery.attempts == 1
    assert "token" in delivery.last_error.lower()


def test_export_channels_keep_copy_ready_text(approved_item, home_org, org_admin):
    from heco.comms.models import Channel

    channel = Channel.objects.create(
        organisation=home_org, kind="instagram", name="Instagram", language="lt"
    )
    item = approved_item()
    schedule_now(item, org_admin)

    item_publish_due()

    delivery = Delivery.objects.get(item=item, channel=channel)
    assert delivery.status == Delivery.Status.EXPORTED
    assert delivery.text.startswith("Bažnyčia vėl atvira")
    item.refresh_from_db()
    assert item.status == Item.Status.PUBLISHED
    json.dumps(delivery.log)  # the log stays JSON


def test_a_delivery_another_worker_is_sending_is_left_alone(
    approved_item, mastodon_channel, fake_mastodon, org_admin
):
    item = approved_item()
    schedule_now(item, org_admin)
    delivery = Delivery.objects.get(item=item)
    Delivery.objects.filter(pk=delivery.pk).update(
        status="sending", claimed_until=timezone.now() + dt.timedelta(minutes=5)
    )

    delivery = delivery_send(delivery_id=delivery.pk)

    assert delivery.status == Delivery.Status.SENDING
    assert fake_mastodon.calls("POST", "/api/v1/statuses") == []
