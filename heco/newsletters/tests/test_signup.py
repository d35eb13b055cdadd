import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.test import Client

from heco.newsletters.models import Subscriber
from heco.newsletters.services import CONSENT_WORDING_VERSION

pytestmark = pytest.mark.django_db

SIGNUP = "/en/newsletter/plunge-news/"


def signup_data(email="reader@example.org", **extra):
    return {"email": email, "language": "lt", "consent": "on", "website": "", **extra}


def test_sign_up_mails_a_confirmation_link_that_confirms(client, news_list, smtp_server):
    page = client.get(SIGNUP)
    assert page.status_code == 200
    assert b'for="id_email"' in page.content and b"csrfmiddlewaretoken" in page.content

    response = client.post(SIGNUP, signup_data())

    assert response.status_code == 200
    subscriber = Subscriber.objects.get(email="reader@example.org")
    assert subscriber.status == Subscriber.Status.PENDING
    assert subscriber.language == "lt"
    [message] = smtp_server.messages
    assert message["To"] == "reader@example.org"
    assert "Plungės bibliotekos naujienos" in message["Subject"]  # in the chosen language
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    link = re.search(r"https?://\S+/newsletter/confirm/\S+/", text).group(0)
    assert link in html
    path = urlsplit(link).path
    assert path.startswith("/lt/newsletter/confirm/")

    # the link shows a button (mail scanners that fetch links confirm nothing) …
    assert client.get(path).status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.PENDING
    # … and the button confirms
    assert client.post(path).status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.CONFIRMED
    assert subscriber.confirmed_at is not None


def test_consent_is_recorded_with_purpose_time_and_wording_version(client, news_list):
    client.post(SIGNUP, signup_data())

    subscriber = Subscriber.objects.get()
    assert subscriber.consent_at is not None
    assert subscriber.consent_wording_version == CONSENT_WORDING_VERSION
    assert "Plungė Library news" in subscriber.consent_text  # the wording shown, in English
    assert subscriber.consent_purpose  # in the subscriber's language
    assert "Plungės bibliotekos naujienos" in subscriber.consent_purpose


def test_a_bad_email_re_renders_the_form_with_errors(client, news_list):
    response = client.post(SIGNUP, signup_data(email="not-an-address"))

    assert response.status_code == 400
    content = response.content.decode()
    assert "There is a problem" in content
    assert 'href="#id_email"' in content  # the error summary links to the field
    assert 'aria-invalid="true"' in content
    assert 'value="not-an-address"' in content  # what was typed is kept
    assert not Subscriber.objects.exists()
    assert mail.outbox == []


def test_sign_up_without_consent_is_refused(client, news_list):
    data = signup_data()
    del data["consent"]
    response = client.post(SIGNUP, data)

    assert response.status_code == 400
    assert "Tick the box" in response.content.decode()
    assert not Subscriber.objects.exists()


def test_the_honeypot_stores_and_sends_nothing(client, news_list):
    response = client.post(SIGNUP, signup_data(website="http://spam.example"))

    assert response.status_code == 200  # a bot sees success
    assert not Subscriber.objects.exists()
    assert mail.outbox == []


def test_sign_ups_are_rate_limited_per_ip(client, news_list):
    for n in range(5):
        response = client.post(SIGNUP, signup_data(email=f"reader{n}@example.org"))
        assert response.status_code == 200

    response = client.post(SIGNUP, signup_data(email="sixth@example.org"))

    assert response.status_code == 429
    assert "Too many sign-ups" in response.content.decode()
    assert not Subscriber.objects.filter(email="sixth@example.org").exists()
    # another address is not limited
    other = client.post(SIGNUP, signup_data(email="x@example.org"), REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 200


def test_sign_up_needs_a_csrf_token(news_list):
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(SIGNUP, signup_data()).status_code == 403


def test_signing_up_again_when_confirmed_sends_nothing(client, news_list):
    client.post(SIGNUP, signup_data())
    Subscriber.objects.update(status=Subscriber.Status.CONFIRMED)
    mail.outbox.clear()

    response = client.post(SIGNUP, signup_data())

    assert response.status_code == 200  # same page: the form does not reveal who subscribed
    assert mail.outbox == []
    assert Subscriber.objects.get().status == Subscriber.Status.CONFIRMED


def test_a_tampered_confirmation_link_does_not_work(client, news_list):
    client.post(SIGNUP, signup_data())
    link = re.search(r"/lt/newsletter/confirm/(\S+)/", mail.outbox[0].body).group(1)

    response = client.post(f"/lt/newsletter/confirm/{link}x/")

    assert response.status_code == 404
    assert Subscriber.objects.get().status == Subscriber.Status.PENDING


def test_an_unknown_list_is_404(client, db):
    assert client.get("/en/newsletter/nope/").status_code == 404
