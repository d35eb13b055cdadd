import pytest

from heco.network.models import Network
from heco.newsletters.demo import load_demo_newsletters
from heco.newsletters.models import Edition, SendLog, Subscriber, SubscriberList
from heco.testing.factories import NetworkFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def lists(home_org, other_org, network):
    own = SubscriberList.objects.create(slug="own", name={"en": "Own"}, organisation=home_org)
    foreign = SubscriberList.objects.create(
        slug="foreign", name={"en": "Foreign"}, organisation=other_org
    )
    network_list = SubscriberList.objects.create(
        slug="network-news", name={"en": "Network news"}, network=network
    )
    return own, foreign, network_list


def test_an_editor_sees_only_their_organisations_list(client, editor, lists):
    own, foreign, network_list = lists
    client.force_login(editor)

    page = client.get("/admin/newsletters/subscriberlist/")

    assert page.status_code == 200
    content = page.content.decode()
    assert f"/admin/newsletters/subscriberlist/{own.pk}/change/" in content
    assert str(foreign.pk) not in content and str(network_list.pk) not in content
    refused = client.get(f"/admin/newsletters/subscriberlist/{foreign.pk}/change/")
    assert refused.status_code in (302, 403, 404)


def test_a_coordinator_sees_the_network_list(client, coordinator, lists):
    client.force_login(coordinator)

    page = client.get("/admin/newsletters/subscriberlist/")

    _own, foreign, network_list = lists
    content = page.content.decode()
    assert str(network_list.pk) in content
    assert str(foreign.pk) in content  # every organisation of the network


def test_a_list_belongs_to_an_organisation_or_a_network_not_both(home_org, network):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        SubscriberList.objects.create(slug="both", name={"en": "x"}, organisation=home_org,
                                      network=network)  # fmt: skip


def test_the_demo_makes_a_list_per_network_with_a_sent_edition(client, db):
    network = NetworkFactory(slug="demo-net", is_demo=True, default_language="lt")
    network.organisations.add(OrganisationFactory(is_demo=True))

    counts = load_demo_newsletters()

    assert counts["lists"] == 1 and counts["editions"] == 1
    subscriber_list = SubscriberList.objects.get(network=network)
    assert subscriber_list.subscribers.filter(status=Subscriber.Status.CONFIRMED).count() >= 5
    assert all(s.email.endswith("@example.invalid") for s in subscriber_list.subscribers.all())
    edition = Edition.objects.get(list=subscriber_list)
    assert edition.status == Edition.Status.SENT
    assert SendLog.objects.filter(edition=edition).count() == subscriber_list.subscribers.count()
    page = client.get(f"/lt/newsletter/{subscriber_list.slug}/archive/{edition.slug}/")
    assert page.status_code == 200
    assert "Mėnesio naujienos" in page.content.decode()
    # idempotent
    assert load_demo_newsletters() == {"lists": 0, "subscribers": 0, "editions": 0}
    assert Network.objects.count() == 1


def test_admin_pages_render_and_send_now_queues_the_task(client, coordinator, lists):
    from django_tasks_db.models import DBTaskResult

    _own, _foreign, network_list = lists
    edition = Edition.objects.create(
        list=network_list, slug="2026-11", month="2026-11-01", title={"en": "November"}
    )
    client.force_login(coordinator)
    for url in (
        "/admin/newsletters/edition/",
        f"/admin/newsletters/edition/{edition.pk}/change/",
        "/admin/newsletters/edition/add/",
        "/admin/newsletters/subscriber/",
        f"/admin/newsletters/subscriberlist/{network_list.pk}/change/",
    ):
        assert client.get(url).status_code == 200, url

    response = client.post(
        "/admin/newsletters/edition/",
        {"action": "send_now", "_selected_action": [str(edition.pk)]},
    )

    assert response.status_code == 302
    assert DBTaskResult.objects.filter(args_kwargs__args=[str(edition.pk)]).exists()
