"""Writes for communication: the item workflow and sending deliveries.

Workflow: draft → review (an editor of the organisation submits) → scheduled (an organisation
admin or network coordinator approves and schedules; refused while any channel's rendition is
over its length or an image lacks alt text in that rendition's language) → published (every
delivery sent or exported) or failed (a delivery gave up). The item's news page goes public
when its time comes, before the first delivery is sent (``item_web_publish``): posts link to
it.

Sending: one :class:`Delivery` per item and channel, its idempotency key unique in the
database. ``delivery_send`` claims the row under ``select_for_update`` (status "sending" with a
lease), sends outside the transaction, then records the result; a failure is retried with
exponential back-off (``next_attempt_at``; later if a 429 names its reset time) up to
``MAX_ATTEMPTS``, and the network-side idempotency (Mastodon's Idempotency-Key header,
Bluesky's record key) covers a crash between sending and recording.

No double posts on a retry: a delivery with a recorded remote id is never sent again; an
attempt whose outcome is unknown marks the delivery ``unconfirmed_since``, and a retry after
the network's idempotency window (Mastodon: one hour) first asks the network for that post
(``find_existing``); a late result of an attempt that lost its lease never overwrites a newer
attempt's state; a staff retry re-reads the row under lock and is refused while an attempt is
in flight or once the post is known.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from heco.comms.channels.base import PublishError, PublishResult, Rendition
from heco.comms.models import Channel, Delivery, Item
from heco.core.cache import bump_catalogue_version
from heco.core.langmap import clean_language_map, pick
from heco.network.models import Role
from heco.network.selectors import editable_organisation_ids, organisation_ids_for

log = logging.getLogger(__name__)

MANAGER_ROLES = {Role.ADMIN, Role.COORDINATOR}
MAX_ATTEMPTS = 5
BACKOFF_BASE = dt.timedelta(minutes=1)
BACKOFF_MAX = dt.timedelta(hours=6)
CLAIM_LEASE = dt.timedelta(minutes=5)  # a worker that died mid-send frees the row after this
ITEM_FIELDS = {"kind", "title", "summary", "body", "link_url", "slug"}
ITEM_M2M = {"assets", "events", "images", "channels"}


# --- permissions -----------------------------------------------------------------------------


def _allowed(ids, organisation_id) -> bool:
    return ids is None or organisation_id in ids


def can_edit_items(user, organisation_id) -> bool:
    """Editors, organisation admins and coordinators write and submit items."""
    return _allowed(editable_organisation_ids(user), organisation_id)


def can_approve_items(user, organisation_id) -> bool:
    """Organisation admins and network coordinators approve and schedule."""
    return _allowed(organisation_ids_for(user, MANAGER_ROLES), organisation_id)


def _require_editor(user, item_or_org_id):
    org_id = getattr(item_or_org_id, "organisation_id", item_or_org_id)
    if not can_edit_items(user, org_id):
        raise PermissionDenied(_("You may not edit this organisation’s communication."))


def _require_approver(user, item):
    if not can_approve_items(user, item.organisation_id):
        raise PermissionDenied(
            _("Only an organisation admin or network coordinator may approve and schedule.")
        )


# --- items -----------------------------------------------------------------------------------


def _unique_slug(title: dict, exclude_pk=None) -> str:
    base = slugify(pick(title or {}, "en").text)[:100].strip("-") or "item"
    taken = set(
        Item.objects.exclude(pk=exclude_pk)
        .filter(slug__startswith=base)
        .values_list("slug", flat=True)
    )
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def _set_m2m(item, values: dict):
    for name in ITEM_M2M:
        if name in values and values[name] is not None:
            getattr(item, name).set(values[name])


def _check_links_belong(item):
    """Channels must be the item's organisation's; images must belong to its linked assets or
    the organisation's assets."""
    foreign = item.channels.exclude(organisation_id=item.organisation_id)
    if foreign.exists():
        raise ValidationError(_("A channel of another organisation cannot be used."))


def _check_limits(item: Item):
    """Refuse (inside the save's transaction) an item whose post is over a channel's length
    limit: the editor learns it while writing, with the limit and how far over it is."""
    problems = [
        f"{channel.name}: {problem}"
        for channel, rendition in item_renditions(item)
        for problem in rendition.limit_errors
    ]
    if problems:
        raise ValidationError({"summary": problems}, code="too_long")


def item_create(*, user, organisation, title: dict, kind: str = Item.Kind.NEWS, **fields) -> Item:
    _require_editor(user, organisation.pk)
    m2m = {k: fields.pop(k) for k in list(fields) if k in ITEM_M2M}
    is_demo = fields.pop("is_demo", False)
    unknown = set(fields) - ITEM_FIELDS
    if unknown:
        raise TypeError(f"unknown item fields: {sorted(unknown)}")
    for name in ("summary", "body"):
        fields[name] = clean_language_map(fields.get(name))
    item = Item(
        organisation=organisation,
        kind=kind,
        title=clean_language_map(title),
        created_by=user if getattr(user, "pk", None) else None,
        is_demo=is_demo,
        **fields,
    )
    item.slug = item.slug or _unique_slug(item.title)
    item.full_clean()
    with transaction.atomic():
        item.save()
        _set_m2m(item, m2m)
        _check_links_belong(item)
        _check_limits(item)
    return item


def item_update(*, item: Item, user, **fields) -> Item:
    _require_editor(user, item)
    if not item.is_editable:
        raise ValidationError(_("A scheduled or published item cannot be edited; unschedule it."))
    m2m = {k: fields.pop(k) for k in list(fields) if k in ITEM_M2M}
    unknown = set(fields) - ITEM_FIELDS
    if unknown:
        raise TypeError(f"unknown item fields: {sorted(unknown)}")
    for name, value in fields.items():
        if name in ("title", "summary", "body"):
            value = clean_language_map(value)
        setattr(item, name, value)
    if not item.slug:
        item.slug = _unique_slug(item.title, exclude_pk=item.pk)
    # any change after approval needs a new approval
    item.approved_by, item.approved_at = None, None
    item.full_clean()
    with transaction.atomic():
        item.save()
        _set_m2m(item, m2m)
        _check_links_belong(item)
        _check_limits(item)
    return item


def item_submit(*, item: Item, user) -> Item:
    _require_editor(user, item)
    if item.status not in (Item.Status.DRAFT, Item.Status.FAILED):
        raise ValidationError(_("Only a draft can be submitted for review."))
    item.status = Item.Status.REVIEW
    item.submitted_by = user
    item.approved_by, item.approved_at = None, None
    item.save(update_fields=["status", "submitted_by", "approved_by", "approved_at", "updated_at"])
    return item


def item_return_to_draft(*, item: Item, user) -> Item:
    """An approver sends an item back (or unschedules it before it goes out)."""
    _require_approver(user, item)
    if item.status not in (Item.Status.REVIEW, Item.Status.SCHEDULED):
        raise ValidationError(_("Only an item in review or scheduled can go back to draft."))
    with transaction.atomic():
        item.deliveries.filter(status=Delivery.Status.PENDING, attempts=0).delete()
        item.status = Item.Status.DRAFT
        item.approved_by, item.approved_at, item.scheduled_at = None, None, None
        was_on_web, item.published_at = item.published_at is not None, None
        item.save()
        if was_on_web:
            bump_catalogue_version()
    return item


def item_channels(item: Item):
    """The channels an item goes out on: its chosen ones, else all the organisation's."""
    chosen = item.channels.filter(active=True)
    if chosen.exists():
        return chosen
    return Channel.objects.filter(organisation_id=item.organisation_id, active=True)


def item_renditions(item: Item) -> list[tuple[Channel, Rendition]]:
    return [
        (channel, channel.plugin.render(item, channel.language, channel=channel))
        for channel in item_channels(item)
    ]


def item_problems(item: Item) -> list[str]:
    """Everything that blocks scheduling, one clear sentence each, naming the channel."""
    problems = []
    for channel, rendition in item_renditions(item):
        for error in rendition.errors:
            problems.append(f"{channel.name}: {error}")
    return problems


def _check_ready(item: Item):
    problems = item_problems(item)
    if problems:
        raise ValidationError(problems, code="not_ready")


def item_approve(*, item: Item, user, scheduled_at=None) -> Item:
    """Record who approved; with ``scheduled_at``, schedule at once."""
    _require_approver(user, item)
    if item.status != Item.Status.REVIEW:
        raise ValidationError(_("Only an item in review can be approved."))
    _check_ready(item)
    item.approved_by, item.approved_at = user, timezone.now()
    item.save(update_fields=["approved_by", "approved_at", "updated_at"])
    if scheduled_at is not None:
        return item_schedule(item=item, user=user, scheduled_at=scheduled_at)
    return item


def item_schedule(*, item: Item, user, scheduled_at) -> Item:
    _require_approver(user, item)
    if item.status not in (Item.Status.REVIEW, Item.Status.SCHEDULED):
        raise ValidationError(_("Only an approved item in review can be scheduled."))
    if item.approved_by_id is None:
        raise ValidationError(_("Approve the item before scheduling it."))
    if scheduled_at is None:
        raise ValidationError(_("Choose when to publish."))
    _check_ready(item)
    with transaction.atomic():
        item.status = Item.Status.SCHEDULED
        item.scheduled_at = scheduled_at
        item.full_clean()
        item.save()
        _ensure_deliveries(item)
        transaction.on_commit(lambda: _enqueue_publish_due(scheduled_at))
    return item


def _ensure_deliveries(item: Item) -> list[Delivery]:
    out = []
    for channel in item_channels(item):
        delivery, _created = Delivery.objects.get_or_create(item=item, channel=channel)
        out.append(delivery)
    return out


def _enqueue_publish_due(run_after=None):
    from heco.comms.tasks import publish_due_items

    task = publish_due_items
    if run_after is not None and run_after > timezone.now():
        task = task.using(run_after=run_after)
    task.enqueue()


def _enqueue_send(delivery: Delivery):
    from heco.comms.tasks import send_delivery

    task = send_delivery
    if delivery.next_attempt_at is not None:
        task = task.using(run_after=delivery.next_attempt_at)
    task.enqueue(delivery.pk)


def item_web_publish(*, item: Item, now=None) -> Item:
    """Put the item's news page on the web (once): the posts about to go out link to it."""
    if item.published_at is None:
        item.published_at = now or timezone.now()
        item.save(update_fields=["published_at", "updated_at"])
        bump_catalogue_version()  # news lists and feeds in the page cache show it at once
    return item


def item_publish_due(*, now=None) -> dict:
    """Publish every item whose time has come: first its news page, then every due delivery;
    returns counts by status. This is what the worker task and ``heco comms publish-due``
    run."""
    now = now or timezone.now()
    report: dict[str, int] = {}
    for item in Item.objects.due(now).select_related("organisation__community"):
        item_web_publish(item=item, now=now)
        _ensure_deliveries(item)
        due = item.deliveries.filter(status__in=[Delivery.Status.PENDING, Delivery.Status.SENDING])
        for delivery_id in due.values_list("pk", flat=True):
            delivery = delivery_send(delivery_id=delivery_id, now=now)
            report[delivery.status] = report.get(delivery.status, 0) + 1
        item_refresh_status(item=item, now=now)
    return report


def item_refresh_status(*, item: Item, now=None) -> Item:
    statuses = set(item.deliveries.values_list("status", flat=True))
    done = {Delivery.Status.SENT, Delivery.Status.EXPORTED}
    if item.status != Item.Status.SCHEDULED:
        return item
    if statuses <= done:
        item.status = Item.Status.PUBLISHED
        item.published_at = item.published_at or now or timezone.now()
        item.save(update_fields=["status", "published_at", "updated_at"])
    elif Delivery.Status.FAILED in statuses and not statuses & {
        Delivery.Status.PENDING,
        Delivery.Status.SENDING,
    }:
        item.status = Item.Status.FAILED
        item.save(update_fields=["status", "updated_at"])
    return item


# --- deliveries ------------------------------------------------------------------------------


def backoff(attempts: int) -> dt.timedelta:
    """1, 2, 4, 8 … minutes after the 1st, 2nd, 3rd … failed attempt, at most 6 hours."""
    return min(BACKOFF_BASE * (2 ** max(attempts - 1, 0)), BACKOFF_MAX)


def _log(delivery: Delivery, now, event: str, **data):
    entry = {"at": now.isoformat(), "attempt": delivery.attempts, "event": event}
    entry.update({k: v for k, v in data.items() if v not in (None, "")})
    delivery.log = [*delivery.log, entry]


def _record_sent(delivery: Delivery, now, result, plugin, event: str):
    delivery.status = Delivery.Status.EXPORTED if plugin.exports else Delivery.Status.SENT
    delivery.remote_id, delivery.remote_url = result.remote_id, result.remote_url
    delivery.sent_at, delivery.next_attempt_at, delivery.last_error = now, None, ""
    delivery.claimed_until, delivery.unconfirmed_since = None, None
    _log(delivery, now, event, url=result.remote_url, id=result.remote_id)


def delivery_send(*, delivery_id, now=None) -> Delivery:
    """Send one delivery at most once. Safe to call twice, from two workers, or after a crash."""
    now = now or timezone.now()
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update()
            .select_related("channel", "item__organisation__community")
            .get(pk=delivery_id)
        )
        if delivery.status in (
            Delivery.Status.SENT,
            Delivery.Status.EXPORTED,
            Delivery.Status.FAILED,
        ):
            return delivery
        lease = delivery.claimed_until
        if delivery.status == Delivery.Status.SENDING and lease and lease > now:
            return delivery  # another worker holds it
        if delivery.next_attempt_at and delivery.next_attempt_at > now:
            return delivery  # not yet: back-off
        if delivery.remote_id:  # the post is known: never post it again
            _record_sent(delivery, now, PublishResult(delivery.remote_id, delivery.remote_url),
                         delivery.channel.plugin, "already-sent")  # fmt: skip
            delivery.save()
            transaction.on_commit(lambda: item_refresh_status(item=delivery.item, now=now))
            return delivery
        if delivery.status == Delivery.Status.SENDING and delivery.unconfirmed_since is None:
            # the worker of the last attempt died before recording it: it may have posted
            delivery.unconfirmed_since = (lease - CLAIM_LEASE) if lease else now
        delivery.status = Delivery.Status.SENDING
        delivery.claimed_until = now + CLAIM_LEASE
        delivery.attempts += 1
        delivery.save(
            update_fields=["status", "claimed_until", "attempts", "unconfirmed_since", "updated_at"]
        )
    attempt = delivery.attempts

    channel = delivery.channel
    plugin = channel.plugin
    error, retryable, maybe_posted, retry_after = "", False, False, None
    result, rendition, event = None, None, delivery.status
    try:
        rendition = plugin.render(delivery.item, channel.language, channel=channel)
        if rendition.errors:
            error, retryable = "; ".join(rendition.errors), False
        else:
            since, window = delivery.unconfirmed_since, plugin.idempotency_window
            if since is not None and window is not None and now - since >= window:
                # the network no longer remembers our key: look for the earlier post first
                result = plugin.find_existing(channel, rendition, since)
                event = "found"
            if result is None:
                result = plugin.publish(channel, rendition, delivery.idempotency_key)
                event = Delivery.Status.EXPORTED if plugin.exports else Delivery.Status.SENT
    except PublishError as exc:
        error, retryable = str(exc), exc.retryable
        maybe_posted, retry_after = exc.maybe_posted, exc.retry_after
    except Exception as exc:  # never lose a run to an unexpected error: record and retry
        log.exception("delivery %s failed", delivery.pk)
        error, retryable, maybe_posted = f"{type(exc).__name__}: {exc}", True, True

    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().get(pk=delivery.pk)
        # another worker claimed the row after our lease ran out: its state is newer than ours
        superseded = delivery.attempts != attempt or delivery.status != Delivery.Status.SENDING
        if rendition is not None and not superseded:
            delivery.text = rendition.text
        if result is not None:  # the post exists: record it, whoever holds the row now
            if rendition is not None:
                delivery.text = rendition.text
            _record_sent(delivery, now, result, plugin, event)
        elif superseded:
            if maybe_posted and delivery.unconfirmed_since is None and not delivery.remote_id:
                delivery.unconfirmed_since = now
            _log(delivery, now, "late-failure", error=error, of_attempt=attempt)
        else:
            delivery.claimed_until = None
            delivery.last_error = error
            if maybe_posted and delivery.unconfirmed_since is None:
                delivery.unconfirmed_since = now
            if retryable and delivery.attempts < MAX_ATTEMPTS:
                delivery.status = Delivery.Status.PENDING
                wait = backoff(delivery.attempts)
                if retry_after is not None and retry_after > wait:
                    wait = retry_after  # the network said when: a 429's reset time
                delivery.next_attempt_at = now + wait
                _log(delivery, now, "retry", error=error, next=delivery.next_attempt_at.isoformat())
                transaction.on_commit(lambda d=delivery: _enqueue_send(d))
            else:
                delivery.status = Delivery.Status.FAILED
                delivery.next_attempt_at = None
                _log(delivery, now, "failed", error=error)
        delivery.save()
    if delivery.status != Delivery.Status.PENDING:
        item_refresh_status(item=delivery.item, now=now)
    return delivery


def delivery_retry(*, delivery: Delivery, user, now=None) -> Delivery:
    """Give a failed delivery another round of attempts (staff action).

    The row is read again under lock (the page the click came from may be stale): refused
    once the post is known (a remote id) and while an attempt is in flight; what an earlier
    attempt may have posted (``unconfirmed_since``) is kept, so the next attempt looks for that
    post before posting again."""
    _require_approver(user, delivery.item)
    now = now or timezone.now()
    with transaction.atomic():
        current = Delivery.objects.select_for_update().select_related("item").get(pk=delivery.pk)
        if current.remote_id:
            raise ValidationError(
                _("This delivery was already posted (%(url)s); it is not sent again.")
                % {"url": current.remote_url or current.remote_id}
            )
        if current.status == Delivery.Status.SENDING and (
            current.claimed_until is None or current.claimed_until > now
        ):
            raise ValidationError(
                _("An attempt to send this delivery is still in progress; wait for its result.")
            )
        if current.status != Delivery.Status.FAILED:
            raise ValidationError(_("Only a failed delivery can be retried."))
        current.status, current.attempts, current.next_attempt_at = "pending", 0, None
        _log(current, now, "requeued", by=str(user))
        current.save(update_fields=["status", "attempts", "next_attempt_at", "log", "updated_at"])
        item = current.item
        if item.status == Item.Status.FAILED:
            item.status = Item.Status.SCHEDULED
            item.save(update_fields=["status", "updated_at"])
        transaction.on_commit(lambda: _enqueue_send(current))
    return current


# --- channels --------------------------------------------------------------------------------


def channel_create(*, user, organisation, kind, name, credentials=None, **fields) -> Channel:
    if not can_approve_items(user, organisation.pk):
        raise PermissionDenied(_("Only an organisation admin or coordinator may add channels."))
    channel = Channel(organisation=organisation, kind=kind, name=name, **fields)
    channel.set_credentials(credentials or {})
    channel.full_clean()
    channel.save()
    return channel
