"""A subscriber's data: a copy as JSON and erasure, by a signed link mailed to the address
(real SMTP server) and by staff in the admin, scoped to the lists they may edit."""

import json
import re
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.db import connection, models
from django.test import Client
from django.utils import timezone

from heco.newsletters.models import Edition, SendLog, Subscriber, SubscriberList
from heco.newsletters.sending import edition_send
from heco.newsletters.tests.conftest import make_subscriber, text_part

pytestmark = pytest.mark.django_db

ADDRESS = "reader@example.org"
REQUEST = "/en/newsletter/my-data/"


@pytest.fixture
def two_lists(news_list, other_org):
    foreign = SubscriberList.objects.create(
        slug="piran-news", name={"en": "Piran Museum news"}, organisation=other_org
    )
    return news_list, foreign


@pytest.fixture
def reader(two_lists, smtp_server):
    """Subscribed to both lists, with consents, and mailed one edition of the first."""
    own, foreign = two_lists
    now = timezone.now()
    subscribers = []
    for subscriber_list, language in ((own, "lt"), (foreign, "en")):
        subscriber = make_subscriber(subscriber_list, ADDRESS, language)
        subscriber.consent_purpose = "Receiving the newsletter by email."
        subscriber.consent_text = "I agree to receive the newsletter."
        subscriber.consent_at = subscriber.confirmed_at = now
        subscriber.save()
        subscribers.append(subscriber)
    make_subscriber(own, "other@example.org", "en")
    month = timezone.localdate().replace(day=1)
    edition = Edition.objects.create(
        list=own, slug="2026-11", month=month, title={"en": "News", "lt": "Naujienos"}
    )
    assert edition_send(edition_id=edition.pk)["sent"] == 2
    smtp_server.messages.clear()
    return subscribers


def mailed_link(smtp_server) -> str:
    [message] = smtp_server.to(ADDRESS)
    url = re.search(r"https?://\S+/newsletter/my-data/\S+/", text_part(message)).group(0)
    return urlsplit(url).path


def rows_holding(address: str) -> list[str]:
    """Every table and text column in the database that holds ``address`` (the whole schema,
    not only ours: admin log, sessions, task queue…)."""
    found = []
    with connection.cursor() as cursor:
        for model in apps.get_models(include_auto_created=True):
            table = model._meta.db_table
            if table not in connection.introspection.table_names():
                continue
            for field in model._meta.concrete_fields:
                if not isinstance(field, models.CharField | models.TextField | models.JSONField):
                    continue
                column = connection.ops.quote_name(field.column)
                cast = f"CAST({column} AS TEXT)"
                cursor.execute(
                    f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)} "  # noqa: S608
                    f"WHERE LOWER({cast}) LIKE %s",
                    [f"%{address.lower()}%"],
                )
                if cursor.fetchone()[0]:
                    found.append(f"{table}.{field.column}")
    return found


def test_a_subscriber_gets_a_copy_of_their_data_by_a_mailed_link(client, reader, smtp_server):
    page = client.get(REQUEST)
    assert page.status_code == 200 and b"csrfmiddlewaretoken" in page.content

    response = client.post(REQUEST, {"email": ADDRESS.upper(), "website": ""})

    assert response.status_code == 200
    path = mailed_link(smtp_server)
    assert ADDRESS not in path  # the link carries a signed random token, not the address
    page = client.get(path)
    assert page.status_code == 200
    assert "Plungė Library news" in page.content.decode() or "Plungės" in page.content.decode()
    assert page["Cache-Control"] == "no-store"

    download = client.post(path + "export/")

    assert download.status_code == 200
    assert download["Content-Type"] == "application/json"
    data = json.loads(download.content)
    assert data["emails"] == [ADDRESS]
    by_list = {s["list"]["slug"]: s for s in data["subscriptions"]}
    assert set(by_list) == {"plunge-news", "piran-news"}
    own = by_list["plunge-news"]
    assert own["language"] == "lt" and own["status"] == "confirmed"
    assert own["consent"]["wording"] == "I agree to receive the newsletter."
    assert own["consent"]["given_at"] and own["consent"]["confirmed_at"]
    [delivery] = own["deliveries"]
    assert delivery["edition"] == "2026-11" and delivery["status"] == "sent"
    assert by_list["piran-news"]["deliveries"] == []
    assert "other@example.org" not in download.content.decode()


def test_the_mailed_link_erases_every_subscription_of_the_address(client, reader, smtp_server):
    client.post(REQUEST, {"email": ADDRESS, "website": ""})
    path = mailed_link(smtp_server)
    assert rows_holding(ADDRESS)  # the search finds the address before …

    response = client.post(path + "erase/")

    assert response.status_code == 200
    assert rows_holding(ADDRESS) == []  # … and nowhere after
    assert not Subscriber.objects.filter(email=ADDRESS).exists()
    # counts without names remain: the edition still went to two people
    edition = Edition.objects.get(slug="2026-11")
    assert edition.send_logs.filter(status="sent").count() == 2
    assert edition.send_logs.filter(subscriber=None, email="").count() == 1
    assert Subscriber.objects.filter(email="other@example.org").exists()
    # the link is spent
    assert client.get(path).status_code == 404


def test_erasure_and_export_need_a_post_with_a_csrf_token(reader, smtp_server):
    browser = Client(enforce_csrf_checks=True)
    browser.post(REQUEST, {"email": ADDRESS, "website": ""})  # refused: no token
    assert smtp_server.to(ADDRESS) == []
    client = Client()
    client.post(REQUEST, {"email": ADDRESS, "website": ""})
    path = mailed_link(smtp_server)
    assert browser.post(path + "erase/").status_code == 403
    assert browser.get(path + "erase/").status_code == 405
    assert Subscriber.objects.filter(email=ADDRESS).count() == 2


def test_an_unknown_address_gets_the_same_page_and_no_mail(client, reader, smtp_server):
    response = client.post(REQUEST, {"email": "nobody@example.org", "website": ""})
    assert response.status_code == 200
    assert smtp_server.messages == []


def test_bad_input_and_bad_links_are_refused_clearly(client, reader, smtp_server):
    response = client.post(REQUEST, {"email": "not-an-address", "website": ""})
    assert response.status_code == 400
    assert "name@example.org" in response.content.decode()
    assert 'href="#id_email"' in response.content.decode()  # the error summary links
    assert client.get("/en/newsletter/my-data/forged:token/").status_code == 404
    assert client.post("/en/newsletter/my-data/forged:token/erase/").status_code == 404
    assert Subscriber.objects.filter(email=ADDRESS).count() == 2


def test_data_requests_are_rate_limited(client, reader, smtp_server, settings):
    settings.HECO_NEWSLETTER_SIGNUPS_PER_HOUR = 2
    for _ in range(2):
        assert client.post(REQUEST, {"email": ADDRESS, "website": ""}).status_code == 200
    response = client.post(REQUEST, {"email": ADDRESS, "website": ""})
    assert response.status_code == 429 and response["Retry-After"]
    assert len(smtp_server.to(ADDRESS)) == 2


def test_an_old_link_no_longer_works(client, reader, smtp_server, monkeypatch):
    from heco.newsletters import tokens

    client.post(REQUEST, {"email": ADDRESS, "website": ""})
    path = mailed_link(smtp_server)
    monkeypatch.setattr(tokens, "DATA_MAX_AGE", -1)
    assert client.get(path).status_code == 404


# --- staff in the admin ----------------------------------------------------------------------

CHANGELIST = "/admin/newsletters/subscriber/"


def admin_action(client, action, subscribers, **extra):
    data = {"action": action, "_selected_action": [str(s.pk) for s in subscribers], **extra}
    return client.post(CHANGELIST, data)


@pytest.fixture
def other_editor(db, other_org):
    from heco.testing.factories import MembershipFactory, UserFactory

    user = UserFactory(username="piran-editor")
    MembershipFactory(user=user, organisation=other_org, role="editor")
    return user


def test_staff_export_their_own_lists_subscriber_only(client, editor, reader):
    own, foreign = reader  # editor edits home_org, owner of the first list
    client.force_login(editor)

    response = admin_action(client, "export_data", [own])
    data = json.loads(response.content)
    assert [s["list"]["slug"] for s in data["subscriptions"]] == ["plunge-news"]

    refused = admin_action(client, "export_data", [foreign])
    assert refused.status_code == 403
    assert ADDRESS not in refused.content.decode()


def test_staff_of_the_other_organisation_export_theirs_and_not_ours(client, other_editor, reader):
    own, foreign = reader
    client.force_login(other_editor)

    data = json.loads(admin_action(client, "export_data", [foreign]).content)
    assert [s["list"]["slug"] for s in data["subscriptions"]] == ["piran-news"]
    refused = admin_action(client, "export_data", [own])
    assert refused.status_code == 403
    assert admin_action(client, "export_data", [own, foreign]).status_code == 403


def test_staff_erase_with_confirmation_and_only_in_their_scope(client, editor, other_editor,
                                                               reader):  # fmt: skip
    own, foreign = reader
    client.force_login(editor)

    confirm = admin_action(client, "erase_data", [own])
    assert confirm.status_code == 200 and ADDRESS in confirm.content.decode()
    assert Subscriber.objects.filter(pk=own.pk).exists()  # not before the confirmation
    refused = admin_action(client, "erase_data", [foreign], confirm="yes")
    assert refused.status_code == 403
    assert Subscriber.objects.filter(pk=foreign.pk).exists()  # another organisation's list
    admin_action(client, "erase_data", [own], confirm="yes")
    assert not Subscriber.objects.filter(pk=own.pk).exists()
    assert SendLog.objects.filter(email=ADDRESS).count() == 0

    client.force_login(other_editor)
    admin_action(client, "erase_data", [foreign], confirm="yes")
    assert rows_holding(ADDRESS) == []


def test_the_service_refuses_staff_outside_the_lists_scope(editor, reader):
    from django.core.exceptions import PermissionDenied

    from heco.newsletters.privacy import staff_erase, staff_export

    own, foreign = reader
    assert staff_export(user=editor, subscribers=[own])["emails"] == [ADDRESS]
    with pytest.raises(PermissionDenied):
        staff_export(user=editor, subscribers=[foreign])
    with pytest.raises(PermissionDenied):
        staff_erase(user=editor, subscribers=[own, foreign])
    assert Subscriber.objects.filter(email=ADDRESS).count() == 2


def test_a_list_cannot_take_the_slug_of_the_data_page(home_org):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="taken"):
        SubscriberList(slug="my-data", name={"en": "x"}, organisation=home_org).full_clean()
