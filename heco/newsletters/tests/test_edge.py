"""Edge cases of the public newsletter pages and of sending, against the real SMTP server."""

import pytest
from aiosmtpd.controller import Controller
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from heco.newsletters.models import Edition, SendLog, Subscriber
from heco.newsletters.tasks import RETRY_DELAYS, send_edition
from heco.newsletters.tests.conftest import StoringHandler, free_port, make_subscriber

pytestmark = pytest.mark.django_db

SIGNUP = "/en/newsletter/plunge-news/"
DATA_REQUEST = "/en/newsletter/my-data/"


def signup_data(email="reader@example.org", **extra):
    return {"email": email, "language": "lt", "consent": "on", "website": "", **extra}


def test_behind_the_proxy_each_visitor_has_their_own_limit_and_spoofing_does_not_help(
    client, news_list
):
    # docs/deployment.md: nginx adds the visitor's address to X-Forwarded-For and talks to
    # gunicorn on a unix socket, so REMOTE_ADDR is empty
    def post(email, forwarded):
        return client.post(
            SIGNUP, signup_data(email=email), REMOTE_ADDR="", HTTP_X_FORWARDED_FOR=forwarded
        )

    for n in range(5):  # a new made-up first entry each time
        assert post(f"reader{n}@example.org", f"10.9.9.{n}, 203.0.113.5").status_code == 200

    assert post("sixth@example.org", "10.9.9.99, 203.0.113.5").status_code == 429
    assert post("other@example.org", "198.51.100.7").status_code == 200  # someone else
    assert not Subscriber.objects.filter(email="sixth@example.org").exists()


def test_a_public_client_cannot_dodge_the_limit_with_a_forwarded_header(client, news_list):
    for n in range(5):
        response = client.post(
            SIGNUP, signup_data(email=f"r{n}@example.org"), HTTP_X_FORWARDED_FOR=f"192.0.2.{n}",
            REMOTE_ADDR="81.7.10.5",
        )  # fmt: skip
        assert response.status_code == 200
    response = client.post(
        SIGNUP, signup_data(email="x@example.org"), HTTP_X_FORWARDED_FOR="192.0.2.77",
        REMOTE_ADDR="81.7.10.5",
    )  # fmt: skip
    assert response.status_code == 429


def test_an_address_the_mail_server_refuses_gets_a_clear_error_and_nothing_is_stored(
    client, news_list, smtp_server
):
    response = client.post(SIGNUP, signup_data(email="refuse@example.org"))

    assert response.status_code == 400
    content = response.content.decode()
    assert "The mail server refused this address" in content
    assert 'value="refuse@example.org"' in content  # what was typed is kept
    assert not Subscriber.objects.exists()


@pytest.fixture
def mail_server_down(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nobody listens
    settings.EMAIL_USE_TLS, settings.EMAIL_TIMEOUT = False, 5


def test_a_mail_server_outage_at_sign_up_is_a_503_and_changes_nothing(
    client, news_list, mail_server_down
):
    gone = make_subscriber(news_list, "gone@example.org", status="unsubscribed")

    response = client.post(SIGNUP, signup_data(email="gone@example.org"))

    assert response.status_code == 503
    assert "could not be sent just now" in response.content.decode()
    gone.refresh_from_db()
    assert gone.status == Subscriber.Status.UNSUBSCRIBED  # not left pending without a mail


def test_a_mail_server_outage_at_a_data_request_shows_the_same_page(
    client, news_list, mail_server_down
):
    make_subscriber(news_list, "reader@example.org")

    known = client.post(DATA_REQUEST, {"email": "reader@example.org", "website": ""})
    unknown = client.post(DATA_REQUEST, {"email": "nobody@example.org", "website": ""})

    assert known.status_code == unknown.status_code == 200  # nothing tells who is subscribed
    assert known.content == unknown.content


class DroppingHandler(StoringHandler):
    """Drops the connection at the recipient "drop…" while ``dropping`` is set."""

    dropping = True

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.dropping and address.startswith("drop"):
            server.transport.close()
            return "421 4.4.2 Connection dropped"
        return await super().handle_RCPT(server, session, envelope, address, rcpt_options)


@pytest.fixture
def dropping_smtp(settings):
    handler = DroppingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS, settings.EMAIL_TIMEOUT = False, 5
    try:
        yield handler
    finally:
        controller.stop()


def queued_runs(edition):
    return DBTaskResult.objects.filter(task_path__endswith="send_edition").filter(
        args_kwargs__args__0=str(edition.pk)
    )


def test_a_dropped_connection_is_recorded_and_retried_later_without_second_copies(
    news_list, dropping_smtp
):
    for address in ["a@example.org", "drop@example.org", "c@example.org"]:
        make_subscriber(news_list, address)
    month = timezone.localdate().replace(day=1)
    edition = Edition.objects.create(list=news_list, slug="dropped", month=month,
                                     title={"en": "News"})  # fmt: skip

    before = timezone.now()
    first = send_edition.call(str(edition.pk))

    assert first["sent"] == 2 and first["failed"] == 1  # the rest still got it
    failed = SendLog.objects.get(email="drop@example.org")
    assert failed.status == SendLog.Status.FAILED and "SMTPServerDisconnected" in failed.error
    [retry] = queued_runs(edition)  # a later run is queued, not left to a person to notice
    assert retry.args_kwargs["args"] == [str(edition.pk), 2]
    assert retry.run_after >= before + RETRY_DELAYS[0]

    dropping_smtp.dropping = False
    second = send_edition.call(*retry.args_kwargs["args"])

    assert second["sent"] == 1 and second["failed"] == 0
    assert sorted(str(m["To"]) for m in dropping_smtp.messages) == [
        "a@example.org", "c@example.org", "drop@example.org",
    ]  # fmt: skip
    assert queued_runs(edition).count() == 1  # nothing failed: no further run


def test_retries_stop_after_the_last_delay(news_list, smtp_server):
    make_subscriber(news_list, "refuse@example.org")
    month = timezone.localdate().replace(day=1)
    edition = Edition.objects.create(list=news_list, slug="refused", month=month,
                                     title={"en": "News"})  # fmt: skip

    send_edition.call(str(edition.pk), len(RETRY_DELAYS) + 1)

    assert not queued_runs(edition).exists()
    assert SendLog.objects.get().status == SendLog.Status.FAILED


class SlowHandler(StoringHandler):
    async def handle_DATA(self, server, session, envelope):
        import asyncio

        await asyncio.sleep(1)  # the first request is still sending when the second arrives
        return await super().handle_DATA(server, session, envelope)


@pytest.mark.django_db(transaction=True)
def test_a_double_click_on_subscribe_makes_one_row_and_no_error(news_list, settings):
    import threading

    from django.db import connection
    from django.test import Client

    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent writers")
    handler = SlowHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS, settings.EMAIL_TIMEOUT = False, 10
    statuses = []

    def click():
        try:
            response = Client(raise_request_exception=False).post(SIGNUP, signup_data())
            statuses.append(response.status_code)
        finally:
            connection.close()

    try:
        threads = [threading.Thread(target=click) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        controller.stop()

    assert statuses == [200, 200]
    assert Subscriber.objects.filter(email="reader@example.org").count() == 1


def test_a_mail_server_that_accepts_and_never_answers_fails_the_send_in_time(
    client, news_list, settings
):
    """A stalled server (it takes the connection and never greets) would hold the request for
    ever without EMAIL_TIMEOUT, which Django leaves unset; the project sets one."""
    import socket

    from django.conf import settings as project_settings

    assert project_settings.EMAIL_TIMEOUT > 0  # HECO_EMAIL_TIMEOUT, 30 s by default
    stalled = socket.socket()
    stalled.bind(("127.0.0.1", 0))
    stalled.listen()
    try:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", stalled.getsockname()[1]
        settings.EMAIL_USE_TLS, settings.EMAIL_TIMEOUT = False, 0.5

        response = client.post(SIGNUP, signup_data(email="new@example.org"))

        assert response.status_code == 503
        assert not Subscriber.objects.filter(email="new@example.org").exists()
    finally:
        stalled.close()
