import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from heco.comms.models import Item
from heco.comms.services import item_schedule

pytestmark = pytest.mark.django_db


def test_staff_pages_need_a_login(client, make_item):
    item = make_item()
    for url in (reverse("comms:items"), reverse("comms:item", args=[item.pk])):
        response = client.get(url)
        assert response.status_code == 302 and "/admin/login/" in response.url


def test_editor_writes_an_item_in_two_languages_and_sees_the_previews(
    client, editor, home_org, asset, mastodon_channel, bluesky_channel
):
    client.force_login(editor)
    response = client.post(
        reverse("comms:item-add"),
        {
            "organisation": home_org.pk,
            "kind": "news",
            "title_en": "The church reopens",
            "title_lt": "Bažnyčia vėl atvira",
            "summary_lt": "Ąžuolinis stogas atnaujintas.",
            "assets": [asset.pk],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    item = Item.objects.get()
    assert item.title == {"en": "The church reopens", "lt": "Bažnyčia vėl atvira"}

    page = client.get(response.url).content.decode()
    assert "Mastodon EN" in page and "Bluesky LT" in page
    assert "of 500" in page and "of 300" in page
    assert "#WoodenArchitecture" in page

    client.post(reverse("comms:item-action", args=[item.pk]), {"action": "submit"})
    item.refresh_from_db()
    assert item.status == Item.Status.REVIEW
    # an editor cannot schedule
    client.post(
        reverse("comms:item-action", args=[item.pk]),
        {"action": "schedule", "scheduled_at": "2030-01-01T10:00"},
    )
    item.refresh_from_db()
    assert item.status == Item.Status.REVIEW


def test_org_admin_approves_and_schedules_from_the_page(client, org_admin, make_item, editor):
    from heco.comms.services import item_submit

    item = make_item()
    item_submit(item=item, user=editor)
    client.force_login(org_admin)
    response = client.post(
        reverse("comms:item-action", args=[item.pk]),
        {"action": "schedule", "scheduled_at": "2030-01-01T10:00"},
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == Item.Status.SCHEDULED and item.approved_by == org_admin


def test_a_blocking_problem_is_shown_as_a_message(
    client, org_admin, make_item, editor, image, bluesky_channel
):
    from heco.comms.services import item_submit

    image.alt_text = {}
    image.save()
    item = make_item(images=[image])
    item_submit(item=item, user=editor)
    client.force_login(org_admin)
    response = client.post(
        reverse("comms:item-action", args=[item.pk]),
        {"action": "schedule", "scheduled_at": "2030-01-01T10:00"},
        follow=True,
    )
    assert "has no alt text in lt" in response.content.decode()
    item.refresh_from_db()
    assert item.status == Item.Status.REVIEW


def test_other_organisations_items_are_not_visible(client, make_item, partner_business):
    item = make_item()
    client.force_login(partner_business)
    assert client.get(reverse("comms:item", args=[item.pk])).status_code == 404
    assert str(item) not in client.get(reverse("comms:items")).content.decode()


def test_calendars_show_scheduled_items_for_the_organisation_and_network(
    client, approved_item, org_admin, coordinator, network, home_org
):
    item = approved_item()
    when = timezone.now() + dt.timedelta(days=2)
    item_schedule(item=item, user=org_admin, scheduled_at=when)
    month = timezone.localtime(when).strftime("%Y-%m")

    client.force_login(org_admin)
    url = reverse("comms:organisation-calendar", args=[home_org.slug])
    page = client.get(url, {"month": month}).content.decode()
    assert "The church reopens" in page and "Scheduled" in page

    client.force_login(coordinator)
    url = reverse("comms:network-calendar", args=[network.slug])
    assert "The church reopens" in client.get(url, {"month": month}).content.decode()


def test_calendar_of_an_organisation_one_cannot_see_is_404(client, partner_business, home_org):
    client.force_login(partner_business)
    url = reverse("comms:organisation-calendar", args=[home_org.slug])
    assert client.get(url).status_code == 404


def test_admin_changelists_are_scoped(client, make_item, partner_business, editor):
    item = make_item()
    client.force_login(editor)
    assert str(item) in client.get(reverse("admin:comms_item_changelist")).content.decode()
    client.force_login(partner_business)
    page = client.get(reverse("admin:comms_item_changelist")).content.decode()
    assert str(item) not in page


def _failed_delivery(approved_item, org_admin, fake_mastodon):
    from heco.comms.models import Delivery
    from heco.comms.services import MAX_ATTEMPTS, delivery_send

    item = approved_item()
    item_schedule(item=item, user=org_admin, scheduled_at=timezone.now())
    delivery = Delivery.objects.get(item=item)
    fake_mastodon.fail_next("/api/v1/statuses", *([422] * MAX_ATTEMPTS))  # refused: no retry
    delivery = delivery_send(delivery_id=delivery.pk)
    assert delivery.status == Delivery.Status.FAILED
    return item, delivery


def test_an_approver_sends_a_failed_delivery_again_from_the_page(
    client, approved_item, org_admin, mastodon_channel, fake_mastodon
):
    from heco.comms.models import Delivery

    item, delivery = _failed_delivery(approved_item, org_admin, fake_mastodon)
    client.force_login(org_admin)
    page = client.get(reverse("comms:item", args=[item.pk])).content.decode()
    assert 'name="action" value="retry"' in page and f'value="{delivery.pk}"' in page

    response = client.post(
        reverse("comms:item-action", args=[item.pk]),
        {"action": "retry", "delivery": str(delivery.pk)},
        follow=True,
    )
    assert "Sending again to" in response.content.decode()
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.PENDING and delivery.attempts == 0
    assert delivery.log[-1]["event"] == "requeued"


def test_an_editor_cannot_send_a_failed_delivery_again(
    client, approved_item, org_admin, editor, mastodon_channel, fake_mastodon
):
    from heco.comms.models import Delivery

    item, delivery = _failed_delivery(approved_item, org_admin, fake_mastodon)
    client.force_login(editor)
    assert 'value="retry"' not in client.get(reverse("comms:item", args=[item.pk])).content.decode()
    response = client.post(
        reverse("comms:item-action", args=[item.pk]),
        {"action": "retry", "delivery": str(delivery.pk)},
    )
    assert response.status_code == 403
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED


@pytest.mark.parametrize("value", ["", "abc", "١", "99999999", "-1"])
def test_a_retry_naming_no_delivery_of_the_item_is_a_404(
    client, approved_item, org_admin, mastodon_channel, fake_mastodon, value
):
    item, _delivery = _failed_delivery(approved_item, org_admin, fake_mastodon)
    client.force_login(org_admin)
    response = client.post(
        reverse("comms:item-action", args=[item.pk]), {"action": "retry", "delivery": value}
    )
    assert response.status_code == 404
