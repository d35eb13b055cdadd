import datetime as dt
import re
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.utils import timezone

from heco.comms.models import Item
from heco.newsletters.models import Edition, SendLog, Subscriber
from heco.newsletters.sending import edition_assemble
from heco.newsletters.tasks import send_edition
from heco.newsletters.tests.conftest import html_part, make_subscriber, text_part
from heco.testing.factories import EventFactory, UserFactory

pytestmark = pytest.mark.django_db


def make_item(org, slug, title, **extra):
    approver = UserFactory(username=f"approver-{slug}")
    return Item.objects.create(
        organisation=org,
        slug=slug,
        title=title,
        summary=extra.pop("summary", {}),
        status=Item.Status.PUBLISHED,
        approved_by=approver,
        approved_at=timezone.now(),
        published_at=timezone.now(),
        **extra,
    )


@pytest.fixture
def edition(news_list, home_org):
    make_item(
        home_org,
        "new-reading-room",
        {"en": "A new reading room", "lt": "Nauja skaitykla"},
        summary={"en": "Open from Monday.", "lt": "Atidaryta nuo pirmadienio."},
    )
    make_item(home_org, "english-only", {"en": "Summer school report"})
    EventFactory(
        organisation=home_org,
        title={"en": "Poetry evening", "lt": "Poezijos vakaras"},
        start=timezone.now() + dt.timedelta(days=5),
    )
    month = timezone.localdate().replace(day=1)
    return Edition.objects.create(
        list=news_list,
        slug=month.strftime("%Y-%m"),
        month=month,
        title={"en": "November news", "lt": "Lapkričio naujienos"},
    )


def test_edition_mails_carry_one_click_unsubscribe_headers(edition, smtp_server):
    subscriber = make_subscriber(edition.list, "reader@example.org", "en")

    send_edition.call(str(edition.pk))

    [message] = smtp_server.messages
    header = message["List-Unsubscribe"]
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    https_url, mailto = re.findall(r"<([^>]+)>", header)
    assert urlsplit(https_url).path.startswith("/newsletter/unsubscribe/")
    assert mailto.startswith("mailto:")
    assert message.get_content_type() == "multipart/alternative"

    # RFC 8058: the mail client POSTs, without a CSRF token
    strict = Client(enforce_csrf_checks=True)
    path = urlsplit(https_url).path
    response = strict.post(
        path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.UNSUBSCRIBED
    assert subscriber.unsubscribed_at is not None


def test_the_unsubscribe_link_asks_before_unsubscribing_on_get(client, edition):
    from heco.newsletters.services import unsubscribe_url

    subscriber = make_subscriber(edition.list, "reader@example.org", "lt")
    path = urlsplit(unsubscribe_url(subscriber)).path

    response = client.get(path)

    assert response.status_code == 200
    assert response["Content-Language"] == "lt"  # in the subscriber's language
    assert 'method="post"' in response.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.CONFIRMED
    assert client.get(path[:-3] + "xx/").status_code == 404


def test_each_subscriber_gets_the_edition_in_their_language(edition, smtp_server):
    make_subscriber(edition.list, "ona@example.org", "lt")
    make_subscriber(edition.list, "eva@example.org", "en")

    send_edition.call(str(edition.pk))

    edition.refresh_from_db()
    assert set(edition.content) == {"en", "lt"}  # languages present (lt is also the default)
    [lt_mail] = smtp_server.to("ona@example.org")
    [en_mail] = smtp_server.to("eva@example.org")
    assert lt_mail["Subject"] == "Lapkričio naujienos"
    assert en_mail["Subject"] == "November news"
    lt_html, lt_text = html_part(lt_mail), text_part(lt_mail)
    assert '<html lang="lt">' in lt_html
    assert "Nauja skaitykla" in lt_html and "Poezijos vakaras" in lt_html
    # an item without Lithuanian text falls back to English, marked as such
    assert '<span lang="en">Summer school report</span>' in lt_html
    assert "Summer school report (anglų kalba)" in lt_text
    assert "/lt/news/new-reading-room/" in lt_text
    en_html = html_part(en_mail)
    assert "A new reading room" in en_html and "Nauja skaitykla" not in en_html
    assert "/newsletter/unsubscribe/" in text_part(en_mail)


def test_sending_in_batches_logs_everyone_and_a_second_run_mails_nobody(
    edition, smtp_server, settings
):
    settings.HECO_NEWSLETTER_BATCH_SIZE = 2
    for n in range(5):
        make_subscriber(edition.list, f"reader{n}@example.org", "en")
    make_subscriber(edition.list, "pending@example.org", status="pending")
    make_subscriber(edition.list, "gone@example.org", status="unsubscribed")

    first = send_edition.call(str(edition.pk))

    assert first["sent"] == 5 and first["failed"] == 0 and first["batches"] == 3
    assert len(smtp_server.messages) == 5
    assert SendLog.objects.filter(edition=edition, status="sent").count() == 5
    assert not SendLog.objects.filter(email__in=["pending@example.org", "gone@example.org"])
    edition.refresh_from_db()
    assert edition.status == Edition.Status.SENT and edition.sent_at

    second = send_edition.call(str(edition.pk))

    assert second["sent"] == 0 and second["batches"] == 0
    assert len(smtp_server.messages) == 5


def test_a_refused_recipient_is_logged_and_retried_without_doubling(edition, smtp_server):
    make_subscriber(edition.list, "refuse@example.org", "en")
    make_subscriber(edition.list, "ok@example.org", "en")

    counts = send_edition.call(str(edition.pk))

    assert counts == {"sent": 1, "failed": 1, "skipped": 0, "batches": 1}
    failed = SendLog.objects.get(email="refuse@example.org")
    assert failed.status == SendLog.Status.FAILED
    assert "550" in failed.error
    # a re-run tries only the failed one again
    again = send_edition.call(str(edition.pk))
    assert again["sent"] == 0 and again["failed"] == 1
    assert len(smtp_server.to("ok@example.org")) == 1
    assert SendLog.objects.get(email="refuse@example.org").attempts == 2


def test_a_subscriber_already_being_sent_is_never_mailed_again(edition, smtp_server):
    subscriber = make_subscriber(edition.list, "reader@example.org", "en")
    edition_assemble(edition=edition)
    # a crash after the server accepted the message but before we recorded it
    SendLog.objects.create(
        edition=edition, subscriber=subscriber, email=subscriber.email, language="en",
        status=SendLog.Status.SENDING,
    )  # fmt: skip

    send_edition.call(str(edition.pk))

    assert smtp_server.messages == []


def test_the_archive_shows_sent_editions_only(client, edition, news_list):
    draft = Edition.objects.create(
        list=news_list, slug="draft", month=edition.month, title={"en": "Not yet"}
    )
    make_subscriber(news_list, "reader@example.org", "en")
    from heco.newsletters.sending import edition_send

    edition_send(edition_id=edition.pk)

    archive = client.get("/en/newsletter/plunge-news/archive/")
    assert archive.status_code == 200
    assert "November news" in archive.content.decode()
    assert "Not yet" not in archive.content.decode()
    page = client.get(f"/lt/newsletter/plunge-news/archive/{edition.slug}/")
    assert page.status_code == 200
    assert "Lapkričio naujienos" in page.content.decode()
    assert client.get(f"/en/newsletter/plunge-news/archive/{draft.slug}/").status_code == 404
