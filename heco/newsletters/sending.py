"""Editions: assembling per-language content, rendering the email, sending in batches.

* ``edition_assemble`` freezes the content of an edition, one entry per language present
  among the list's confirmed subscribers (and the list's default language, for the archive):
  the published communication items of the month and the upcoming events, each text picked
  from its language map with the fallback marked.
* ``edition_send`` mails every confirmed subscriber the edition in their language, in batches
  through Django's mail backend (one connection per batch). A :class:`SendLog` row is written
  *before* each message goes out (status ``sending``) and updated after; a re-run skips every
  subscriber who already has a row that is not ``failed``, so nobody is mailed twice — even
  after a crash between the SMTP server accepting a message and our recording it (such rows
  stay ``sending`` for a person to check, rather than being retried). Each subscriber's status
  is checked again as their row is claimed, so an unsubscription during the send is honoured.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from heco.comms.models import Item
from heco.core.langmap import pick
from heco.newsletters.models import Edition, SendLog, Subscriber
from heco.newsletters.services import unsubscribe_headers, unsubscribe_url
from heco.programme import recurrence
from heco.programme.models import Event

BATCH_SIZE = 50
MAX_ITEMS = 12
MAX_EVENTS = 10
EVENT_DAYS = 62


def batch_size() -> int:
    return int(getattr(settings, "HECO_NEWSLETTER_BATCH_SIZE", BATCH_SIZE))


def _text(value, lang: str, default: str | None) -> dict:
    from heco.site.templatetags.heco_site import fallback_marker

    picked = pick(value, lang, default)
    return {
        "text": picked.text,
        "lang": picked.lang,
        "fallback": picked.is_fallback,
        "marker": fallback_marker(picked.lang) if picked.is_fallback else "",
    }


def edition_items(edition: Edition):
    chosen = list(edition.items.select_related("organisation").order_by("-published_at"))
    if chosen:
        return [i for i in chosen if i.status == Item.Status.PUBLISHED]
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(edition.month.replace(day=1), dt.time(), tz)
    end = (start + dt.timedelta(days=32)).replace(day=1)
    return list(
        Item.objects.filter(
            status=Item.Status.PUBLISHED,
            organisation_id__in=edition.list.organisation_ids(),
            published_at__gte=start,
            published_at__lt=end,
        )
        .select_related("organisation")
        .order_by("-published_at")[:MAX_ITEMS]
    )


def edition_occurrences(edition: Edition, now: dt.datetime):
    queryset = Event.objects.published().filter(organisation_id__in=edition.list.organisation_ids())
    return recurrence.upcoming_occurrences(
        queryset, now, now + dt.timedelta(days=EVENT_DAYS), MAX_EVENTS
    )


def edition_languages(edition: Edition) -> list[str]:
    present = set(
        edition.list.subscribers.filter(status=Subscriber.Status.CONFIRMED)
        .values_list("language", flat=True)
        .distinct()
    )
    present.add(edition.list.default_language)
    return [code for code in settings.LANGUAGE_CODES if code in present]


def _content_for(edition, lang, items, occurrences) -> dict:
    from heco.site.templatetags.heco_site import fdate, ftime

    default = edition.list.default_language
    with override(lang):
        title = _text(edition.title, lang, default)
        news = []
        for item in items:
            summary = pick(item.summary, lang, default) or pick(item.body, lang, default)
            news.append(
                {
                    "title": _text(item.title, lang, default),
                    "summary": _text({summary.lang: summary.text} if summary else {}, lang, None),
                    "url": settings.SITE_URL + reverse("news:item", kwargs={"slug": item.slug}),
                    "date": fdate(item.published_at, "medium") if item.published_at else "",
                }
            )
        events = []
        for occ in occurrences:
            events.append(
                {
                    "title": _text(occ.event.title, lang, default),
                    "when": f"{fdate(occ.start, 'medium')} {ftime(occ.start)}",
                    "url": settings.SITE_URL
                    + reverse("site:event", kwargs={"slug": occ.event.slug}),
                }
            )
        return {
            "subject": title["text"],
            "title": title,
            "intro": _text(edition.intro, lang, default),
            "list_name": _text(edition.list.name, lang, default),
            "items": news,
            "events": events,
            "archive_url": settings.SITE_URL
            + reverse(
                "newsletters:edition", kwargs={"slug": edition.list.slug, "edition": edition.slug}
            ),
        }


def edition_assemble(*, edition: Edition, now: dt.datetime | None = None) -> Edition:
    """Build and store the per-language content (idempotent until the edition is sent)."""
    if edition.status == Edition.Status.SENT and edition.content:
        return edition
    now = now or timezone.now()
    items = edition_items(edition)
    occurrences = edition_occurrences(edition, now)
    edition.content = {
        lang: _content_for(edition, lang, items, occurrences) for lang in edition_languages(edition)
    }
    edition.save(update_fields=["content"])
    return edition


def content_for_language(edition: Edition, lang: str) -> tuple[str, dict]:
    """(language, content) of the edition for a reader of ``lang``: theirs, else the list's
    default, else English, else any."""
    for code in (lang, edition.list.default_language, "en", *sorted(edition.content)):
        if code in edition.content:
            return code, edition.content[code]
    return lang, {}


def render_edition(edition: Edition, lang: str, *, unsubscribe: str = "") -> tuple[str, str, str]:
    """(subject, plain text, HTML) of the edition in ``lang``."""
    code, content = content_for_language(edition, lang)
    context = {"content": content, "lang": code, "unsubscribe_url": unsubscribe}
    with override(code):
        text = render_to_string("newsletters/email/edition.txt", context)
        html = render_to_string("newsletters/email/edition.html", context)
    return content.get("subject", ""), text, html


def build_message(edition: Edition, subscriber: Subscriber, connection=None):
    subject, text, html = render_edition(
        edition, subscriber.language, unsubscribe=unsubscribe_url(subscriber)
    )
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        to=[subscriber.email],
        headers=unsubscribe_headers(subscriber),
        connection=connection,
    )
    message.attach_alternative(html, "text/html")
    return message


def _claim(edition: Edition, subscriber: Subscriber) -> SendLog | None:
    """Write the log row before sending; None when this subscriber is already handled or is
    no longer subscribed. The status is read again here, right before this person's message
    goes out, not when the batch was loaded: someone who unsubscribes while their batch is
    being sent gets nothing (the row is locked, so an unsubscription waits for this claim or
    wins over it)."""
    code, _content = content_for_language(edition, subscriber.language)
    try:
        with transaction.atomic():
            still_confirmed = list(
                Subscriber.objects.select_for_update()
                .filter(pk=subscriber.pk, status=Subscriber.Status.CONFIRMED)
                .values_list("pk", flat=True)[:1]
            )
            if not still_confirmed:
                return None
            log, created = SendLog.objects.get_or_create(
                edition=edition,
                subscriber=subscriber,
                defaults={"email": subscriber.email, "language": code,
                          "status": SendLog.Status.SENDING},
            )  # fmt: skip
    except IntegrityError:  # another worker claimed it at the same moment
        return None
    if not created:
        if log.status != SendLog.Status.FAILED:
            return None
        claimed = SendLog.objects.filter(pk=log.pk, status=SendLog.Status.FAILED).update(
            status=SendLog.Status.SENDING
        )
        if not claimed:
            return None
    return log


def edition_send(*, edition_id, limit_batches: int | None = None) -> dict:
    """Send the edition to every confirmed subscriber not yet mailed. Returns counts."""
    edition = Edition.objects.select_related("list", "list__network").get(pk=edition_id)
    if edition.status == Edition.Status.DRAFT or not edition.content:
        edition_assemble(edition=edition)
        Edition.objects.filter(pk=edition.pk).update(status=Edition.Status.SENDING)
        edition.status = Edition.Status.SENDING
    counts = {"sent": 0, "failed": 0, "skipped": 0}
    # rows of erased subscribers have no subscriber: leave them out, a NULL in "NOT IN"
    # would match nobody
    done = SendLog.objects.filter(edition=edition, subscriber__isnull=False).exclude(
        status=SendLog.Status.FAILED
    )
    pending = (
        edition.list.subscribers.filter(status=Subscriber.Status.CONFIRMED)
        .exclude(pk__in=done.values("subscriber_id"))
        .order_by("created_at", "pk")
    )
    size = batch_size()
    batches = 0
    last_pk = None
    while limit_batches is None or batches < limit_batches:
        batch_qs = pending if last_pk is None else pending.filter(pk__gt=last_pk)
        batch = list(batch_qs.order_by("pk")[:size])
        if not batch:
            break
        last_pk = batch[-1].pk
        batches += 1
        _send_batch(edition, batch, counts)
    if limit_batches is None or not pending.exists():
        Edition.objects.filter(pk=edition.pk).update(
            status=Edition.Status.SENT, sent_at=edition.sent_at or timezone.now()
        )
    counts["batches"] = batches
    return counts


def _send_batch(edition: Edition, batch: list[Subscriber], counts: dict) -> None:
    connection = get_connection()
    try:
        connection.open()
    except Exception as exc:  # the mail server is down: every row of the batch failed
        for subscriber in batch:
            log = _claim(edition, subscriber)
            if log is not None:
                _record(log, SendLog.Status.FAILED, str(exc), counts)
        return
    try:
        for subscriber in batch:
            log = _claim(edition, subscriber)
            if log is None:
                counts["skipped"] += 1
                continue
            try:
                build_message(edition, subscriber, connection).send()
            except Exception as exc:  # one refused recipient must not stop the batch
                _record(log, SendLog.Status.FAILED, f"{type(exc).__name__}: {exc}", counts)
                try:  # the connection may be unusable after an SMTP error
                    connection.close()
                    connection.open()
                except Exception:  # noqa: S110 - the next send reports it
                    pass
            else:
                _record(log, SendLog.Status.SENT, "", counts)
    finally:
        connection.close()


def _record(log: SendLog, status: str, error: str, counts: dict) -> None:
    log.status = status
    log.error = error[:2000]
    log.attempts += 1
    log.save(update_fields=["status", "error", "attempts", "updated_at"])
    counts["sent" if status == SendLog.Status.SENT else "failed"] += 1
