"""A real SMTP server on localhost (aiosmtpd) that keeps what it receives, and newsletter
fixtures."""

from __future__ import annotations

import asyncio
import email
import email.policy
import socket

import pytest
from aiosmtpd.controller import Controller
from django.core.cache import cache

from heco.newsletters.models import Subscriber, SubscriberList


class StoringHandler:
    """Accepts every message, refuses recipients whose address starts with "refuse"."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        # called (in a thread of its own) after each accepted message: a test can act "while
        # the batch is being sent", e.g. someone clicks their unsubscribe link
        self.on_message = None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("refuse"):
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append(message)
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        if self.on_message is not None:
            loop = asyncio.get_running_loop()
            await loop.run_in_executor(None, self.on_message, message)
        return "250 Message accepted for delivery"

    def to(self, address: str):
        return [m for m in self.messages if address in str(m["To"])]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    handler = StoringHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_TIMEOUT = 10
    try:
        yield handler
    finally:
        controller.stop()


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()  # the sign-up rate limit and the page cache live there
    yield
    cache.clear()


@pytest.fixture
def news_list(db, home_org):
    return SubscriberList.objects.create(
        slug="plunge-news",
        name={"en": "Plungė Library news", "lt": "Plungės bibliotekos naujienos"},
        organisation=home_org,
        default_language="lt",
    )


def make_subscriber(subscriber_list, email_address, language="en", status="confirmed"):
    return Subscriber.objects.create(
        list=subscriber_list,
        email=email_address,
        language=language,
        status=status,
        consent_wording_version="test",
    )


def text_part(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def html_part(message) -> str:
    return message.get_body(preferencelist=("html",)).get_content()
