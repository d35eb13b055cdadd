"""Write once, publish to a social network: the comms journey in a real browser.

An organisation admin writes an item in Lithuanian and English, previews the renditions,
submits and schedules it; the background worker publishes it to a local server that speaks
Mastodon's API; the delivery log on the item page shows the post's URL.
"""

import re

import pytest
from django.core.management import call_command
from django.utils import timezone

from heco.comms.models import Channel, Delivery
from heco.comms.tests.fakes import FakeMastodon
from heco.testing.factories import (
    AssetFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "correct horse battery staple"


@pytest.fixture
def fake_mastodon():
    with FakeMastodon() as server:
        yield server


def test_item_written_in_two_languages_is_published_to_mastodon_by_the_worker(
    page, live_server, fake_mastodon
):
    museum = OrganisationFactory(slug="plunge-museum", name={"en": "Plungė Museum"})
    AssetFactory(organisation=museum, slug="wooden-church", title={"en": "Wooden church"})
    admin = UserFactory(username="museum-admin")
    MembershipFactory(user=admin, organisation=museum, role="admin")
    channel = Channel(
        organisation=museum,
        kind="mastodon",
        name="Mastodon LT",
        language="lt",
        base_url=fake_mastodon.url,
        account="@museum@127.0.0.1",
    )
    channel.set_credentials({"access_token": FakeMastodon.token})
    channel.save()

    page.goto(f"{live_server.url}/admin/login/?next=/staff/comms/items/new/")
    page.fill("#id_username", "museum-admin")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_url(re.compile(r"/staff/comms/items/new/"))

    page.select_option("select[name=organisation]", value=str(museum.pk))
    page.select_option("select[name=kind]", value="news")
    page.fill("[name=title_en]", "The wooden church reopens")
    page.fill("[name=title_lt]", "Medinė bažnyčia vėl atvira")
    page.fill("[name=summary_lt]", "Ąžuolinis stogas atnaujintas – užsukite!")
    page.fill("[name=summary_en]", "The oak roof is restored: come and see!")
    page.locator("form button[type=submit], form input[type=submit]").last.click()
    page.wait_for_url(re.compile(r"/staff/comms/items/[0-9a-f-]+/$"))

    # the preview shows the Lithuanian rendition with its counter
    body = page.locator("main, #content, body").first.inner_text()
    assert "Medinė bažnyčia vėl atvira" in body
    assert re.search(r"\d+ of 500", body)

    page.get_by_role("button", name="Submit for review").click()
    page.wait_for_load_state()
    moment = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    page.fill("[name=scheduled_at]", moment)
    page.get_by_role("button", name=re.compile("schedule", re.I)).click()
    page.wait_for_load_state()
    assert "Scheduled" in page.locator("body").inner_text()

    call_command("worker", "--batch")

    statuses = [r for r in fake_mastodon.requests if r.path == "/api/v1/statuses"]
    assert len(statuses) == 1
    assert "Medinė bažnyčia vėl atvira" in statuses[0].form["status"]
    delivery = Delivery.objects.get()
    assert delivery.status == "sent" and delivery.remote_url

    page.reload()
    assert page.locator(f"a[href='{delivery.remote_url}']").count() == 1
