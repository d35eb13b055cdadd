import pytest
from django.core.management import call_command
from django.utils import timezone

from heco.comms.models import Delivery, Item
from heco.comms.services import item_schedule

pytestmark = pytest.mark.django_db


# The worker closes connections it finds inside a transaction (close_old_connections), which
# on PostgreSQL would end a test wrapped in one: this test commits for real.
@pytest.mark.django_db(transaction=True)
def test_the_worker_publishes_a_scheduled_item_exactly_once(
    approved_item, image, org_admin, mastodon_channel, fake_mastodon
):
    item = approved_item(images=[image])
    item_schedule(item=item, user=org_admin, scheduled_at=timezone.now())  # enqueues on commit

    call_command("worker", "--batch")
    call_command("worker", "--batch")  # nothing left to do: no second post

    assert len(fake_mastodon.calls("POST", "/api/v1/statuses")) == 1
    delivery = Delivery.objects.get(item=item)
    assert delivery.status == Delivery.Status.SENT
    assert delivery.remote_url == fake_mastodon.posted()[0]["url"]
    item.refresh_from_db()
    assert item.status == Item.Status.PUBLISHED


def test_publish_due_command_sends_what_is_due(
    approved_item, org_admin, mastodon_channel, fake_mastodon, capsys
):
    item = approved_item()
    item_schedule(item=item, user=org_admin, scheduled_at=timezone.now())

    call_command("comms", "publish-due")

    assert "sent 1" in capsys.readouterr().out
    assert len(fake_mastodon.posted()) == 1
