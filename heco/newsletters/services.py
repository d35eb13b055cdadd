"""Writes for subscribers: sign-up (double opt-in), confirmation, unsubscription.

Editions are assembled and sent in :mod:`heco.newsletters.sending`.
"""

from __future__ import annotations

import datetime as dt
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from heco.core.langmap import pick
from heco.newsletters import tokens
from heco.newsletters.models import Subscriber, SubscriberList

CONSENT_WORDING_VERSION = "2026-11-v1"
# confirmation mails to one address: not within this many minutes of the last one, and at most
# this many in 24 hours (settings HECO_NEWSLETTER_CONFIRM_RESEND_MINUTES and
# HECO_NEWSLETTER_CONFIRMS_PER_DAY override them)
CONFIRM_RESEND_MINUTES = 15
CONFIRMS_PER_DAY = 3
CONFIRM_WINDOW = dt.timedelta(hours=24)


def consent_purpose(subscriber_list: SubscriberList) -> str:
    return _("Receiving the newsletter “%(list)s” by email.") % {
        "list": pick(subscriber_list.name).text or subscriber_list.slug
    }


def consent_wording(subscriber_list: SubscriberList) -> str:
    """The sentence shown next to the consent checkbox, in the active language."""
    return _(
        "I agree to receive the newsletter “%(list)s” by email, about once a month. My email "
        "address and language are used for nothing else; I can unsubscribe at any time with "
        "the link in every newsletter."
    ) % {"list": pick(subscriber_list.name).text or subscriber_list.slug}


def absolute(path: str) -> str:
    return settings.SITE_URL + path


def confirm_url(subscriber: Subscriber) -> str:
    with override(subscriber.language):
        path = reverse("newsletters:confirm", kwargs={"token": tokens.confirm_token(subscriber)})
    return absolute(path)


def unsubscribe_url(subscriber: Subscriber) -> str:
    path = reverse(
        "newsletters_root:unsubscribe", kwargs={"token": tokens.unsubscribe_token(subscriber)}
    )
    return absolute(path)


def unsubscribe_mailbox() -> str:
    configured = getattr(settings, "HECO_NEWSLETTER_UNSUBSCRIBE_EMAIL", "")
    return configured or parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or "noreply@localhost"


def unsubscribe_headers(subscriber: Subscriber) -> dict[str, str]:
    """RFC 2369 + RFC 8058 one-click unsubscribe headers."""
    mailto = f"mailto:{unsubscribe_mailbox()}?subject=unsubscribe%20{subscriber.token}"
    return {
        "List-Unsubscribe": f"<{unsubscribe_url(subscriber)}>, <{mailto}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def confirmation_allowed(subscriber: Subscriber, now: dt.datetime) -> bool:
    """May this address be mailed a confirmation link now? Not within
    ``CONFIRM_RESEND_MINUTES`` of the last one, nor more than ``CONFIRMS_PER_DAY`` in 24 hours:
    re-submitting the form (by the person or by someone else) cannot flood an inbox."""
    if subscriber.confirm_sent_at is None:
        return True
    gap = int(getattr(settings, "HECO_NEWSLETTER_CONFIRM_RESEND_MINUTES", CONFIRM_RESEND_MINUTES))
    if now - subscriber.confirm_sent_at < dt.timedelta(minutes=gap):
        return False
    per_day = int(getattr(settings, "HECO_NEWSLETTER_CONFIRMS_PER_DAY", CONFIRMS_PER_DAY))
    start = subscriber.confirm_window_start
    in_window = start is not None and now - start < CONFIRM_WINDOW
    return not (in_window and subscriber.confirm_sends >= per_day)


def _count_confirmation(subscriber: Subscriber, now: dt.datetime) -> None:
    start = subscriber.confirm_window_start
    if start is None or now - start >= CONFIRM_WINDOW:
        subscriber.confirm_window_start, subscriber.confirm_sends = now, 0
    subscriber.confirm_sends += 1
    subscriber.confirm_sent_at = now


def subscriber_signup(
    *,
    subscriber_list: SubscriberList,
    email: str,
    language: str,
    consent_text: str,
    now: dt.datetime | None = None,
) -> Subscriber | None:
    """Record a sign-up (pending, with its consent) and mail the confirmation link.

    An address that is already confirmed gets no mail and no change, nor does a pending one
    whose confirmation mails are used up for now (``confirmation_allowed``); the page the
    visitor sees is the same either way, so the form does not tell who is subscribed. When the
    mail cannot be sent the exception propagates and nothing is stored (the row is as it
    was). Returns the subscriber that was mailed, else None."""
    now = now or timezone.now()
    email = email.strip().lower()
    language = language if language in settings.LANGUAGE_CODES else settings.LANGUAGE_CODE
    try:
        with transaction.atomic():
            # locked: two submissions at once cannot both pass the re-send limit
            subscriber = (
                Subscriber.objects.select_for_update()
                .filter(list=subscriber_list, email=email)
                .first()
            )
            if subscriber is not None and subscriber.status == Subscriber.Status.CONFIRMED:
                return None
            if subscriber is not None and not confirmation_allowed(subscriber, now):
                return None
            subscriber = subscriber or Subscriber(list=subscriber_list, email=email)
            subscriber.language = language
            subscriber.status = Subscriber.Status.PENDING
            subscriber.unsubscribed_at = None
            with override(language):
                subscriber.consent_purpose = consent_purpose(subscriber_list)
            subscriber.consent_text = consent_text
            subscriber.consent_wording_version = CONSENT_WORDING_VERSION
            subscriber.consent_at = now
            _count_confirmation(subscriber, now)
            subscriber.full_clean()
            subscriber.save()
            send_confirmation(subscriber)
    except IntegrityError:  # a second click while the first was saving: that one mails
        return None
    return subscriber


def send_confirmation(subscriber: Subscriber) -> None:
    with override(subscriber.language):
        context = {
            "list_name": pick(subscriber.list.name, subscriber.language).text,
            "confirm_url": confirm_url(subscriber),
            "days": tokens.CONFIRM_MAX_AGE // 86400,
        }
        subject = _("Please confirm your subscription to %(list)s") % {"list": context["list_name"]}
        text = render_to_string("newsletters/email/confirm.txt", context)
        html = render_to_string("newsletters/email/confirm.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[subscriber.email])
    message.attach_alternative(html, "text/html")
    message.send()


def subscriber_for_confirm_token(token: str) -> Subscriber | None:
    raw = tokens.read_confirm_token(token)
    if raw is None:
        return None
    return Subscriber.objects.select_related("list").filter(token=raw).first()


def subscriber_for_unsubscribe_token(token: str) -> Subscriber | None:
    raw = tokens.read_unsubscribe_token(token)
    if raw is None:
        return None
    return Subscriber.objects.select_related("list").filter(token=raw).first()


def subscriber_confirm(*, subscriber: Subscriber) -> Subscriber:
    if subscriber.status == Subscriber.Status.PENDING:
        subscriber.status = Subscriber.Status.CONFIRMED
        subscriber.confirmed_at = timezone.now()
        subscriber.save(update_fields=["status", "confirmed_at"])
    return subscriber


def subscriber_unsubscribe(*, subscriber: Subscriber) -> Subscriber:
    if subscriber.status != Subscriber.Status.UNSUBSCRIBED:
        subscriber.status = Subscriber.Status.UNSUBSCRIBED
        subscriber.unsubscribed_at = timezone.now()
        subscriber.save(update_fields=["status", "unsubscribed_at"])
    return subscriber
