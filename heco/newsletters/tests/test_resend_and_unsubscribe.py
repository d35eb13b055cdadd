"""Re-sent confirmation mails are limited per address; an unsubscription during a batched
send is honoured for the rest of the send. Against the real SMTP server."""

import datetime as dt
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from heco.newsletters.models import Edition, SendLog, Subscriber
from heco.newsletters.services import subscriber_signup, unsubscribe_url
from heco.newsletters.tasks import send_edition
from heco.newsletters.tests.conftest import make_subscriber

pytestmark = pytest.mark.django_db

SIGNUP = "/en/newsletter/plunge-news/"


def signup_data(email="reader@example.org", **extra):
    return {"email": email, "language": "lt", "consent": "on", "website": "", **extra}


def signup(news_list, now, email="reader@example.org"):
    return subscriber_signup(
        subscriber_list=news_list, email=email, language="en", consent_text="I agree", now=now
    )


def test_re_submitting_a_pending_address_mails_it_once_and_answers_the_same(
    client, news_list, smtp_server
):
    first = client.post(SIGNUP, signup_data())
    again = [client.post(SIGNUP, signup_data(), REMOTE_ADDR=f"10.0.0.{n}") for n in range(4)]

    assert len(smtp_server.to("reader@example.org")) == 1
    assert {r.status_code for r in again} == {200}
    for response in [first, *again]:  # the same page: nothing tells a re-send was held back
        assert "newsletters/signup_done.html" in [t.name for t in response.templates]
        assert response.content == first.content
    other = client.post(SIGNUP, signup_data(email="new@example.org"))  # never signed up: mailed
    assert other.status_code == 200
    assert len(smtp_server.to("new@example.org")) == 1


def test_confirmation_mails_to_one_address_are_spaced_and_capped_per_day(
    news_list, smtp_server, settings
):
    settings.HECO_NEWSLETTER_CONFIRM_RESEND_MINUTES = 15
    settings.HECO_NEWSLETTER_CONFIRMS_PER_DAY = 3
    start = timezone.now()

    sent = [signup(news_list, start + dt.timedelta(minutes=m)) is not None
            for m in (0, 5, 16, 20, 40, 60, 80)]  # fmt: skip

    # 0 sends; 5 is too soon; 16 and 40 send; then the day's three are used up
    assert sent == [True, False, True, False, True, False, False]
    assert len(smtp_server.to("reader@example.org")) == 3
    next_day = start + dt.timedelta(days=1, minutes=1)
    assert signup(news_list, next_day) is not None
    assert len(smtp_server.to("reader@example.org")) == 4
    subscriber = Subscriber.objects.get()
    assert subscriber.status == Subscriber.Status.PENDING


def test_a_limited_re_submission_changes_nothing_stored(news_list, smtp_server):
    start = timezone.now()
    signup(news_list, start)
    before = Subscriber.objects.values().get()

    subscriber_signup(
        subscriber_list=news_list, email="reader@example.org", language="lt",
        consent_text="Other wording", now=start + dt.timedelta(minutes=1),
    )  # fmt: skip

    assert Subscriber.objects.values().get() == before


@pytest.mark.django_db(transaction=True)
def test_someone_who_unsubscribes_while_the_batch_is_sending_does_not_get_the_edition(
    news_list, smtp_server
):
    readers = [make_subscriber(news_list, f"reader{n}@example.org") for n in range(3)]
    month = timezone.localdate().replace(day=1)
    edition = Edition.objects.create(list=news_list, slug="m", month=month, title={"en": "News"})
    paths = {r.email: urlsplit(unsubscribe_url(r)).path for r in readers}

    def the_others_unsubscribe(message):  # while the first mail of the batch is accepted
        if len(smtp_server.messages) != 1:
            return
        try:
            for address, path in paths.items():
                if address not in str(message["To"]):
                    assert Client().post(path).status_code == 200
        finally:
            connection.close()

    smtp_server.on_message = the_others_unsubscribe

    counts = send_edition.call(str(edition.pk))  # one batch of three

    assert len(smtp_server.messages) == 1
    assert counts["sent"] == 1
    [log] = SendLog.objects.filter(edition=edition)
    assert log.status == SendLog.Status.SENT
    assert Subscriber.objects.filter(status="unsubscribed").count() == 2
