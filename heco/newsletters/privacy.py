"""A subscriber's rights over their data: a copy (export as JSON) and erasure.

Two ways in:

* **the person**, without an account: ``/<lang>/newsletter/my-data/`` asks for an address and
  mails it a signed link (``tokens.data_token``, 7 days) — only when the address is on a list;
  the page looks the same either way. The link opens a page with "download my data" and
  "erase my data" buttons (POST, CSRF). It covers every list the address is on: whoever reads
  that mailbox is the person the data is about.
* **staff** in the admin (Subscribers → actions): only for subscribers of lists they may edit
  (the organisation's editors and admins; for a network list, its coordinators).

Erasure deletes the ``Subscriber`` rows (address, language, consent record, token) and
anonymises their ``SendLog`` rows (no subscriber, no address, no error text, which can quote
the address), so the counts of an edition — sent, failed, per language — stay right. Admin
history entries naming the subscriber are deleted too.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from heco.core.admin import AdminScope
from heco.core.langmap import pick
from heco.newsletters import tokens
from heco.newsletters.models import SendLog, Subscriber

EXPORT_FORMAT = "heco-newsletter-subscriber-data/1"


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def subscriptions_of(email: str):
    """Every subscription of an address (addresses are stored lower-cased)."""
    return (
        Subscriber.objects.filter(email=email.strip().lower())
        .select_related("list", "list__organisation", "list__network")
        .order_by("created_at")
    )


# --- export ----------------------------------------------------------------------------------


def subscriber_export(subscribers) -> dict:
    """Everything held about the given subscriptions, as a JSON-ready dict."""
    subscribers = list(subscribers)
    logs = (
        SendLog.objects.filter(subscriber__in=subscribers)
        .select_related("edition")
        .order_by("created_at")
    )
    logs_by_subscriber: dict = {}
    for log in logs:
        logs_by_subscriber.setdefault(log.subscriber_id, []).append(
            {
                "edition": log.edition.slug,
                "edition_title": pick(log.edition.title, log.language).text,
                "language": log.language,
                "status": log.status,
                "attempts": log.attempts,
                "error": log.error,
                "at": _iso(log.updated_at),
            }
        )
    return {
        "format": EXPORT_FORMAT,
        "exported_at": _iso(timezone.now()),
        "emails": sorted({s.email for s in subscribers}),
        "subscriptions": [
            {
                "email": s.email,
                "list": {
                    "slug": s.list.slug,
                    "name": pick(s.list.name, s.language).text,
                    "owner": str(s.list.organisation or s.list.network),
                },
                "language": s.language,
                "status": s.status,
                "subscribed_at": _iso(s.created_at),
                "consent": {
                    "purpose": s.consent_purpose,
                    "wording_version": s.consent_wording_version,
                    "wording": s.consent_text,
                    "given_at": _iso(s.consent_at),
                    "confirmed_at": _iso(s.confirmed_at),
                    "withdrawn_at": _iso(s.unsubscribed_at),
                },
                "deliveries": logs_by_subscriber.get(s.pk, []),
            }
            for s in subscribers
        ],
    }


# --- erasure ---------------------------------------------------------------------------------


def subscriber_erase(subscribers) -> dict[str, int]:
    """Delete the subscriptions and anonymise their send log; returns what was done."""
    ids = [s.pk for s in subscribers]
    if not ids:
        return {"subscriptions": 0, "send_log_rows_anonymised": 0}
    with transaction.atomic():
        anonymised = SendLog.objects.filter(subscriber_id__in=ids).update(
            subscriber=None, email="", error=""
        )
        content_type = ContentType.objects.get_for_model(Subscriber)
        LogEntry.objects.filter(
            content_type=content_type, object_id__in=[str(pk) for pk in ids]
        ).delete()
        deleted = Subscriber.objects.filter(pk__in=ids).delete()[1].get(Subscriber._meta.label, 0)
    return {"subscriptions": deleted, "send_log_rows_anonymised": anonymised}


# --- the person's own request (signed link by e-mail) ----------------------------------------


def data_url(subscriber: Subscriber, lang: str) -> str:
    with override(lang):
        path = reverse("newsletters:my-data", kwargs={"token": tokens.data_token(subscriber)})
    return settings.SITE_URL + path


def data_request(*, email: str, lang: str) -> bool:
    """Mail the "your data" link to ``email`` if it is on any list; True when a mail went."""
    subscriptions = list(subscriptions_of(email))
    if not subscriptions:
        return False
    first = subscriptions[0]
    lang = lang if lang in settings.LANGUAGE_CODES else first.language
    with override(lang):
        context = {
            "url": data_url(first, lang),
            "days": tokens.DATA_MAX_AGE // 86400,
            "lists": [pick(s.list.name, lang).text for s in subscriptions],
        }
        subject = _("Your newsletter data: copy or erasure")
        text = render_to_string("newsletters/email/data_request.txt", context)
        html = render_to_string("newsletters/email/data_request.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[first.email])
    message.attach_alternative(html, "text/html")
    message.send()
    return True


def subscriptions_for_data_token(token: str) -> list[Subscriber]:
    """Every subscription of the address whose link this is ([] for a bad or old link)."""
    raw = tokens.read_data_token(token)
    if raw is None:
        return []
    subscriber = Subscriber.objects.filter(token=raw).first()
    return list(subscriptions_of(subscriber.email)) if subscriber else []


# --- staff -----------------------------------------------------------------------------------


def staff_may_manage(user, subscriber: Subscriber) -> bool:
    """Editors of the list's organisation, or coordinators of the list's network."""
    scope = AdminScope(user)
    if not scope.is_staff:
        return False
    if subscriber.list.network_id:
        return scope.coordinates(subscriber.list.network_id)
    return scope.can_edit(subscriber.list.organisation_id)


def _require_staff(user, subscribers):
    refused = [s for s in subscribers if not staff_may_manage(user, s)]
    if refused:
        raise PermissionDenied(_("You may not handle the data of another organisation’s list."))


def staff_export(*, user, subscribers) -> dict:
    subscribers = list(subscribers)
    _require_staff(user, subscribers)
    return subscriber_export(subscribers)


def staff_erase(*, user, subscribers) -> dict[str, int]:
    subscribers = list(subscribers)
    _require_staff(user, subscribers)
    return subscriber_erase(subscribers)
