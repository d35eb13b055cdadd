"""Mastodon: 500 characters (URLs 23, mentions without their domain), through Mastodon.py.

Credentials: ``{"access_token": "…"}`` for an application with the ``write:statuses`` and
``write:media`` scopes; ``Channel.base_url`` is the instance (https://mastodon.social).
Double posting is prevented by the delivery's idempotency key, sent as Mastodon's
``Idempotency-Key`` header (the server returns the first status for a repeated key).
"""

from __future__ import annotations

import io

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


def client_for(channel):
    from mastodon import Mastodon

    credentials = channel.get_credentials()
    if not credentials.get("access_token"):
        raise PublishError(str(_("The channel has no access token.")), retryable=False)
    return Mastodon(
        access_token=credentials["access_token"],
        api_base_url=channel.base_url,
        request_timeout=REQUEST_TIMEOUT,
        ratelimit_method="throw",
    )


class MastodonPlugin(ChannelPlugin):
    kind = "mastodon"
    label = "Mastodon"
    limit = 500
    max_hashtags = 5
    max_images = 4

    def count(self, text: str) -> int:
        return counting.mastodon_length(text)

    def publish(self, channel, rendition: Rendition, idempotency_key: str) -> PublishResult:
        from mastodon.errors import (
            MastodonAPIError,
            MastodonNetworkError,
            MastodonRatelimitError,
            MastodonServerError,
            MastodonUnauthorizedError,
        )

        try:
            client = client_for(channel)
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
        except (MastodonServerError, MastodonNetworkError, MastodonRatelimitError) as exc:
            raise PublishError(f"Mastodon: {exc}", retryable=True) from exc
        except MastodonUnauthorizedError as exc:
            raise PublishError(f"Mastodon refused the access token: {exc}", retryable=False)
        except MastodonAPIError as exc:
            raise PublishError(f"Mastodon refused the post: {exc}", retryable=False) from exc
        return PublishResult(str(status["id"]), status.get("url") or status.get("uri") or "")
