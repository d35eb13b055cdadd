import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db


def test_the_news_list_shows_published_items_and_links_the_feeds(client, make_item, home_org):
    make_item(home_org, "open-day", {"en": "Open day", "lt": "Atvirų durų diena"})
    make_item(home_org, "secret", {"en": "Draft news"}, status="draft")

    response = client.get("/lt/news/")

    assert response.status_code == 200
    content = response.content.decode()
    assert "Atvirų durų diena" in content and "Draft news" not in content
    assert 'href="/lt/news/open-day/"' in content
    assert "/feeds/news.rss?lang=lt" in content


def test_the_news_list_runs_a_fixed_number_of_queries(client, make_item, home_org, other_org):
    make_item(home_org, "one", {"en": "One"})
    client.get("/en/news/")  # warm caches (network default language)
    with CaptureQueriesContext(connection) as few:
        client.get("/en/news/?page=1")
    for n in range(8):
        make_item(other_org if n % 2 else home_org, f"more-{n}", {"en": f"More {n}"})
    with CaptureQueriesContext(connection) as many:
        assert client.get("/en/news/?page=1&x=1").status_code == 200
    assert len(many) == len(few)


def test_the_news_item_page(client, make_item, home_org):
    from heco.testing.factories import AssetFactory

    item = make_item(
        home_org, "open-day", {"en": "Open day"}, body={"en": "Come and see the archive."}
    )
    item.assets.add(AssetFactory(organisation=home_org, slug="old-mill", title={"en": "Old mill"}))

    response = client.get("/en/news/open-day/")

    assert response.status_code == 200
    content = response.content.decode()
    assert "<h1>Open day</h1>" in content
    assert "Come and see the archive." in content
    assert 'href="/en/assets/old-mill/"' in content
    # Lithuanian page of an English-only item: the text is marked as English
    lt = client.get("/lt/news/open-day/").content.decode()
    assert '<span lang="en">Open day</span>' in lt


def test_unpublished_items_have_no_page(client, make_item, home_org):
    make_item(home_org, "secret", {"en": "Draft news"}, status="draft")
    assert client.get("/en/news/secret/").status_code == 404
    assert client.get("/en/news/nope/").status_code == 404
