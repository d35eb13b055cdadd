"""Posts link to the item's own news page, and that page is up when the post goes out."""

import datetime as dt
import re
import urllib.error
import urllib.request

import pytest
from django.core.management import call_command
from django.utils import timezone

from heco.comms.models import Item
from heco.comms.services import (
    item_publish_due,
    item_return_to_draft,
    item_schedule,
    item_web_publish,
)

pytestmark = pytest.mark.django_db

NEWS_PATH = "/en/news/the-church-reopens/"


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - local server
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, ""


# committed for real: the worker closes connections found inside a transaction, and the live
# server answers from its own thread
@pytest.mark.django_db(transaction=True)
def test_the_worker_posts_a_link_to_the_news_page_which_is_up(
    approved_item, image, org_admin, mastodon_channel, fake_mastodon, live_server, settings
):
    settings.SITE_URL = live_server.url
    settings.HECO_PAGE_CACHE_SECONDS = 0
    item = approved_item(images=[image])
    news_url = live_server.url + NEWS_PATH
    assert fetch(news_url)[0] == 404  # not public before its time

    item_schedule(item=item, user=org_admin, scheduled_at=timezone.now())
    call_command("worker", "--batch")

    [post] = fake_mastodon.calls("POST", "/api/v1/statuses")
    status_text = post.form["status"]
    [link] = re.findall(r"https?://\S+", status_text)
    assert link == news_url
    status, html = fetch(link)
    assert status == 200
    assert "The church reopens" in html
    item.refresh_from_db()
    assert item.status == Item.Status.PUBLISHED and item.published_at is not None


def test_the_news_page_is_up_while_a_post_waits_for_its_retry(
    approved_item, org_admin, mastodon_channel, fake_mastodon, client
):
    item = approved_item()
    item_schedule(item=item, user=org_admin, scheduled_at=timezone.now())
    assert client.get(NEWS_PATH).status_code == 404
    fake_mastodon.fail_next("/api/v1/statuses", 503)

    item_publish_due()

    item.refresh_from_db()
    assert item.status == Item.Status.SCHEDULED  # the post waits for its retry …
    assert client.get(NEWS_PATH).status_code == 200  # … the page it links to is up
    assert NEWS_PATH in client.get("/en/news/").content.decode()
    assert "the-church-reopens" in client.get("/feeds/news.rss").content.decode()


def test_a_scheduled_item_has_no_page_before_its_time_and_unscheduling_takes_it_down(
    approved_item, org_admin, mastodon_channel, client
):
    item = approved_item()
    item_schedule(item=item, user=org_admin, scheduled_at=timezone.now() + dt.timedelta(days=1))
    item_publish_due()  # not due yet
    assert client.get(NEWS_PATH).status_code == 404
    item_web_publish(item=item)
    assert client.get(NEWS_PATH).status_code == 200
    item_return_to_draft(item=item, user=org_admin)
    assert client.get(NEWS_PATH).status_code == 404


def test_an_explicit_link_still_wins(approved_item, mastodon_channel):
    item = approved_item(link_url="https://plunge.example/roof")
    rendition = mastodon_channel.plugin.render(item, "en")
    assert rendition.link == "https://plunge.example/roof"


def test_the_item_page_links_to_the_news_page_once_it_is_up(
    approved_item, org_admin, mastodon_channel, fake_mastodon, client
):
    item = approved_item()
    item_schedule(item=item, user=org_admin, scheduled_at=timezone.now())
    client.force_login(org_admin)
    page = client.get(f"/staff/comms/items/{item.pk}/").content.decode()
    assert f'href="{NEWS_PATH}"' not in page  # only in the preview text, not a link yet
    item_publish_due()
    assert f'href="{NEWS_PATH}"' in client.get(f"/staff/comms/items/{item.pk}/").content.decode()
    item.refresh_from_db()
    assert item.is_on_web and Item.objects.on_web().filter(pk=item.pk).exists()
