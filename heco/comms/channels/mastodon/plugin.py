"""Mastodon: 500 characters by default (URLs 23, mentions without their domain), or the
instance's own limit (``Channel.max_length``: its ``configuration.statuses.max_characters``),
through Mastodon.py.

Credentials: ``{"access_token": "…"}`` for an application with the ``write:statuses``,
``write:media`` and ``read:accounts``/``read:statuses`` scopes; ``Channel.base_url`` is the
instance (https://mastodon.social).

Double posting is prevented by the delivery's idempotency key, sent as Mastodon's
``Idempotency-Key`` header: the server returns the first status for a repeated key — but it
keeps a key for one hour only. A retry later than that, after an attempt whose outcome is
unknown, first looks for that post among the account's recent statuses (``find_existing``).

A 429 carries the time the limit resets: ``Retry-After`` (seconds or an HTTP date, from a proxy)
or Mastodon's ``X-RateLimit-Reset`` (ISO 8601, in the server's clock: read against its ``Date``
header). The retry waits until then (``PublishError.retry_after``).
"""

from __future__ import annotations

import datetime as dt
import html
import io
import re
from email.utils import parsedate_to_datetime

from django.utils.translation import gettext_lazy as _

from heco.comms import counting
from heco.comms.channels.base import (
    ChannelPlugin,
    PublishError,
    PublishResult,
    Rendition,
    read_image,
)

REQUEST_TIMEOUT = 30
IDEMPOTENCY_WINDOW = dt.timedelta(hours=1)  # how long Mastodon remembers an Idempotency-Key
RATE_LIMIT_MAX_WAIT = dt.timedelta(hours=24)  # never trust a reset time further away
RECENT_STATUSES = 40  # how far back find_existing looks (Mastodon's largest page)
FOUND_SLACK = dt.timedelta(minutes=10)  # clocks differ: a post a little before "since" counts


class _LastResponse:
    """Keeps the headers of the client's last HTTP response (a requests hook): Mastodon.py's
    rate-limit error does not carry them."""

    def __init__(self):
        self.headers = {}

    def __call__(self, response, *args, **kwargs):
        self.headers = response.headers
        return response


def client_for(channel, last_response: _LastResponse | None = None):
    import requests
    from mastodon import Mastodon

    credentials = channel.get_credentials()
    if not credentials.get("access_token"):
        raise PublishError(str(_("The channel has no access token.")), retryable=False)
    session = requests.Session()
    if last_response is not None:
        session.hooks["response"].append(last_response)
    return Mastodon(
        access_token=credentials["access_token"],
        api_base_url=channel.base_url,
        request_timeout=REQUEST_TIMEOUT,
        ratelimit_method="throw",
        session=session,
    )


def _http_date(value: str) -> dt.datetime | None:
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def rate_limit_wait(headers) -> dt.timedelta | None:
    """How long a 429 asks us to wait: the later of ``Retry-After`` (seconds or an HTTP date)
    and ``X-RateLimit-Reset`` (ISO 8601 as Mastodon sends it, or Unix seconds as GoToSocial
    does), both measured from the response's ``Date`` (the server's clock), at most a day."""
    from dateutil import parser as date_parser

    server_now = _http_date(headers.get("Date", "")) or dt.datetime.now(dt.UTC)
    waits = []
    retry_after = (headers.get("Retry-After") or "").strip()
    if retry_after.isdigit():
        waits.append(dt.timedelta(seconds=int(retry_after)))
    elif retry_after and (when := _http_date(retry_after)):
        waits.append(when - server_now)
    reset = (headers.get("X-RateLimit-Reset") or "").strip()
    if reset:
        try:
            if reset.isdigit():
                when = dt.datetime.fromtimestamp(int(reset), dt.UTC)
            else:
                when = date_parser.isoparse(reset)
                when = when if when.tzinfo else when.replace(tzinfo=dt.UTC)
            waits.append(when - server_now)
        except (ValueError, OverflowError):
            pass
    waits = [w for w in waits if w > dt.timedelta(0)]
    return min(max(waits), RATE_LIMIT_MAX_WAIT) if waits else None


def _plain(content: str) -> str:
    """A status's HTML ``content`` as the text that was posted, whitespace folded."""
    text = re.sub(r"<br\s*/?>|</p>\s*<p[^>]*>", "\n", content or "")
    text = html.unescape(re.sub(r"<[^>]+>", "", text))
    return " ".join(text.split())


class MastodonPlugin(ChannelPlugin):
    kind = "mastodon"
    label = "Mastodon"
    limit = 500
    max_hashtags = 5
    max_images = 4
    idempotency_window = IDEMPOTENCY_WINDOW

    def count(self, text: str) -> int:
        return counting.mastodon_length(text)

    def limit_for(self, channel=None) -> int:
        return getattr(channel, "max_length", None) or self.limit

    def find_existing(self, channel, rendition: Rendition, since) -> PublishResult | None:
        """Our status among the account's recent ones: the same text, posted since ``since``
        (less a little slack for clocks)."""
        from mastodon.errors import MastodonError

        try:
            client = client_for(channel)
            me = client.me()
            statuses = client.account_statuses(
                me["id"], exclude_replies=True, exclude_reblogs=True, limit=RECENT_STATUSES
            )
        except MastodonError as exc:
            raise PublishError(f"Mastodon: could not look for an earlier post: {exc}") from exc
        wanted = " ".join(rendition.text.split())
        for status in statuses:
            created = status.get("created_at")
            if isinstance(created, str):
                created = dt.datetime.fromisoformat(created.replace("Z", "+00:00"))
            if created and since and created < since - FOUND_SLACK:
                continue
            if _plain(status.get("content", "")) == wanted:
                return PublishResult(str(status["id"]), status.get("url") or status.get("uri"))
        return None

    def publish(self, channel, rendition: Rendition, idempotency_key: str) -> PublishResult:
        from mastodon.errors import (
            MastodonAPIError,
            MastodonNetworkError,
            MastodonRatelimitError,
            MastodonServerError,
            MastodonUnauthorizedError,
        )

        last_response = _LastResponse()
        try:
            client = client_for(channel, last_response)
            media_ids = []
            for image in rendition.images:
                attachment = client.media_post(
                    io.BytesIO(read_image(image)),
                    mime_type=image.mime_type,
                    description=image.alt,
                    file_name=image.path.rsplit("/", 1)[-1],
                )
                media_ids.append(attachment["id"])
            status = client.status_post(
                rendition.text,
                media_ids=media_ids or None,
                language=rendition.lang,
                visibility="public",
                idempotency_key=idempotency_key,
            )
        except MastodonRatelimitError as exc:  # refused before posting: nothing went out
            wait = rate_limit_wait(last_response.headers)
            raise PublishError(
                f"Mastodon: rate limit reached ({exc})", retryable=True, maybe_posted=False,
                retry_after=wait,
            ) from exc  # fmt: skip
        except (MastodonServerError, MastodonNetworkError) as exc:
            raise PublishError(f"Mastodon: {exc}", retryable=True) from exc
        except MastodonUnauthorizedError as exc:
            raise PublishError(f"Mastodon refused the access token: {exc}", retryable=False)
        except MastodonAPIError as exc:
            raise PublishError(f"Mastodon refused the post: {exc}", retryable=False) from exc
        return PublishResult(str(status["id"]), status.get("url") or status.get("uri") or "")
