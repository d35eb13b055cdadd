"""A visitor's journey through the demo network in a real browser, with accessibility scans.

home → search "manor" → filter by country → asset → switch to Lithuanian → event
"""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command

pytestmark = pytest.mark.django_db(transaction=True)

BLOCKING = {"serious", "critical"}


def assert_accessible(page):
    results = Axe().run(page)
    blocking = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in results.response["violations"]
        if v["impact"] in BLOCKING
    ]
    assert blocking == [], f"{page.url}: {blocking}"


@pytest.fixture
def demo_network(transactional_db):
    call_command("demo", "--no-images", verbosity=0)


def test_visitor_finds_a_manor_in_lithuania_and_an_event_there(page, live_server, demo_network):
    page.goto(f"{live_server.url}/en/")
    assert page.locator("h1").first.is_visible()
    assert_accessible(page)

    page.get_by_label("Search heritage").fill("manor")
    page.get_by_role("button", name="Search").first.click()
    page.wait_for_url(re.compile(r"/en/search/\?q=manor"))
    assert page.locator(".cards .card, .cards article").count() > 0
    assert_accessible(page)

    page.get_by_label(re.compile(r"^Lithuania")).check()
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r"country=LT"))
    results = page.locator("#search-region .cards a[href*='/en/assets/']")
    assert results.count() > 0
    titles = " ".join(results.all_inner_texts()).lower()
    assert "manor" in titles or "dvaras" in titles

    results.first.click()
    page.wait_for_url(re.compile(r"/en/assets/[\w-]+/$"))
    assert_accessible(page)

    page.locator("nav.lang-switcher").get_by_role("link", name="Lietuviškai").click()
    page.wait_for_url(re.compile(r"/lt/assets/[\w-]+/$"))
    assert page.locator("html").get_attribute("lang") == "lt"
    assert_accessible(page)

    events = page.locator("section[aria-labelledby='events-title'] a[href*='/lt/events/']")
    assert events.count() > 0, "the manor has upcoming events in the demo network"
    events.first.click()
    page.wait_for_url(re.compile(r"/lt/events/[\w-]+/$"))
    assert page.locator("h1").first.inner_text().strip()
    assert_accessible(page)


def test_the_site_works_on_a_360_pixel_phone_without_horizontal_scrolling(
    phone_page, live_server, demo_network
):
    for path in ("/en/", "/lt/search/?q=dvaras", "/mt/events/"):
        phone_page.goto(f"{live_server.url}{path}")
        overflow = phone_page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px"
