import datetime as dt

import feedparser
import pytest
from django.utils import timezone
from lxml import etree

pytestmark = pytest.mark.django_db


@pytest.fixture
def items(make_item, home_org, other_org):
    now = timezone.now()
    bilingual = make_item(
        home_org,
        "new-reading-room",
        {"en": "A new reading room", "lt": "Nauja skaitykla"},
        summary={"en": "Open from Monday.", "lt": "Atidaryta nuo pirmadienio."},
        published_at=now - dt.timedelta(hours=1),
    )
    english = make_item(
        home_org, "summer-school", {"en": "Summer school report"}, kind="story",
        published_at=now - dt.timedelta(hours=2),
    )  # fmt: skip
    other = make_item(other_org, "piran-news", {"en": "Piran news"})
    draft = make_item(home_org, "draft-item", {"en": "Not published"}, status="draft")
    return bilingual, english, other, draft


def parse(response):
    assert response.status_code == 200
    etree.fromstring(response.content)  # well-formed XML (raises otherwise)
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    return feed


def test_rss_lists_published_items_with_absolute_links_and_uuid_guids(client, items):
    bilingual, english, other, _draft = items

    response = client.get("/feeds/news.rss")

    assert response["Content-Type"].startswith("application/rss+xml")
    feed = parse(response)
    assert feed.version == "rss20"
    titles = [e.title for e in feed.entries]
    assert titles[:2] == ["Piran news", "A new reading room"]
    assert "Not published" not in titles
    entry = feed.entries[1]
    assert entry.link == "http://127.0.0.1:8000/en/news/new-reading-room/"
    assert entry.id == f"urn:uuid:{bilingual.id}"
    assert entry.guidislink is False
    assert entry.summary == "Open from Monday."
    assert entry.published_parsed


def test_atom_is_valid_and_uses_the_same_ids(client, items):
    bilingual = items[0]

    feed = parse(client.get("/feeds/news.atom"))

    assert feed.version == "atom10"
    ids = {e.id for e in feed.entries}
    assert f"urn:uuid:{bilingual.id}" in ids
    assert any(link.rel == "self" for link in feed.feed.links)
    assert all(e.link.startswith("http://") for e in feed.entries)


def test_lang_picks_the_language_and_falls_back_visibly(client, items):
    feed = parse(client.get("/feeds/news.rss?lang=lt"))

    assert feed.feed.language == "lt"
    titles = [e.title for e in feed.entries]
    assert "Nauja skaitykla" in titles
    assert "Summer school report (anglų kalba)" in titles  # English, marked
    link = next(e.link for e in feed.entries if e.title == "Nauja skaitykla")
    assert link.endswith("/lt/news/new-reading-room/")
    # an unknown language is English
    assert parse(client.get("/feeds/news.rss?lang=xx")).feed.language == "en"


def test_organisation_and_community_feeds_hold_only_their_items(client, items, home_org):
    org_feed = parse(client.get(f"/feeds/organisations/{home_org.slug}/news.atom"))
    community_feed = parse(client.get(f"/feeds/communities/{home_org.community.slug}/news.rss"))

    for feed in (org_feed, community_feed):
        titles = {e.title for e in feed.entries}
        assert titles == {"A new reading room", "Summer school report"}
    assert "Plungė Library" in org_feed.feed.title
    assert client.get("/feeds/organisations/nope/news.rss").status_code == 404
    assert client.get("/feeds/communities/nope/news.atom").status_code == 404


def test_the_feed_is_stable_between_requests(client, items):
    first = client.get("/feeds/news.atom").content
    assert client.get("/feeds/news.atom").content == first
