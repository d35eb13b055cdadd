"""The staff communication workspace and the newsletter pages pass an axe scan (WCAG 2.2 A and
AA rules, every impact), logged in as the demo network coordinator.

axe-core is injected from the axe-playwright-python package (no CDN), as in test_journey.py.
"""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command

from heco.comms.models import Item
from heco.demo.loader import DEMO_PASSWORD
from heco.network.models import Network, Organisation
from heco.newsletters.models import Edition, Subscriber, SubscriberList
from heco.newsletters.tokens import data_token

pytestmark = pytest.mark.django_db(transaction=True)

WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def violations(page) -> list:
    results = Axe().run(
        page, options={"runOnly": {"type": "tag", "values": WCAG_AA}, "resultTypes": ["violations"]}
    )
    return [
        (page.url, v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in results.response["violations"]
    ]


class Scan:
    """Visits pages and collects every violation, so one run reports them all."""

    def __init__(self, page, base):
        self.page, self.base, self.found = page, base, []

    def here(self):
        self.found += violations(self.page)

    def visit(self, path):
        response = self.page.goto(self.base + path)
        assert response.status == 200, path
        self.here()

    def assert_clean(self):
        assert self.found == [], "\n".join(map(str, self.found))


@pytest.fixture
def demo_network(transactional_db):
    call_command("demo", "--no-images", verbosity=0)


def log_in(page, base, username="coordinator"):
    page.goto(f"{base}/admin/login/?next=/staff/comms/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_url(re.compile(r"/staff/comms/$"))


def test_staff_comms_pages_are_accessible(page, live_server, demo_network):
    log_in(page, live_server.url)
    scan = Scan(page, live_server.url)
    scan.here()  # the item list
    scan.visit("/staff/comms/?status=scheduled")

    for status in ("draft", "review", "failed", "published"):  # renditions, workflow, log
        item = Item.objects.filter(status=status).first()
        scan.visit(f"/staff/comms/items/{item.pk}/")
    draft = Item.objects.filter(status="draft").first()
    scan.visit(f"/staff/comms/items/{draft.pk}/edit/")
    scan.visit("/staff/comms/items/new/")
    # the editor with errors: the error summary must pass too
    page.locator("form input[type=submit]").last.click()
    page.wait_for_load_state()
    assert page.locator(".errornote").is_visible()
    scan.here()

    org = Organisation.objects.filter(comms_items__isnull=False).first()
    scan.visit(f"/staff/comms/calendar/{org.slug}/")
    network = Network.objects.get(slug="heco-heritage-network")
    scan.visit(f"/staff/comms/network/{network.slug}/calendar/")
    scan.assert_clean()


def test_newsletter_pages_are_accessible(page, live_server, demo_network):
    log_in(page, live_server.url)
    scan = Scan(page, live_server.url)
    subscriber_list = SubscriberList.objects.filter(editions__status="sent").first()
    edition = Edition.objects.filter(list=subscriber_list, status="sent").first()
    subscriber = Subscriber.objects.filter(list=subscriber_list).first()
    # staff, in the back office
    scan.visit("/admin/newsletters/subscriberlist/")
    scan.visit(f"/admin/newsletters/edition/{edition.pk}/change/")
    scan.visit("/admin/newsletters/subscriber/")
    scan.visit(f"/admin/newsletters/subscriber/{subscriber.pk}/change/")
    # the public pages, for everyone
    scan.visit(f"/en/newsletter/{subscriber_list.slug}/")
    scan.visit(f"/en/newsletter/{subscriber_list.slug}/archive/")
    scan.visit(f"/lt/newsletter/{subscriber_list.slug}/archive/{edition.slug}/")
    scan.visit("/en/newsletter/my-data/")
    scan.visit(f"/lt/newsletter/my-data/{data_token(subscriber)}/")  # the mailed link's page
    scan.assert_clean()


def test_back_office_pages_are_accessible(page, live_server, demo_network):
    """The admin's own breadcrumbs and filters pass too on any app's pages: core/admin.css is
    on every admin page (heco/templates/admin/base_site.html)."""
    from heco.heritage.models import Asset

    log_in(page, live_server.url)
    scan = Scan(page, live_server.url)
    scan.visit("/admin/")
    scan.visit("/admin/heritage/asset/")
    scan.visit("/admin/heritage/asset/?kind__exact=building")
    scan.visit(f"/admin/heritage/asset/{Asset.objects.first().pk}/change/")
    scan.visit("/admin/network/organisation/")
    scan.visit("/admin/programme/event/")
    scan.assert_clean()
