"""Bluesky: 300 graphemes and 3,000 UTF-8 bytes (the ``app.bsky.feed.post`` lexicon's
``maxGraphemes`` and ``maxLength`` of ``text``), facets for links and #tags (UTF-8 byte
offsets), through atproto.

Credentials: ``{"identifier": "museum.bsky.social", "password": "<app password>"}``;
``Channel.base_url`` is the PDS (https://bsky.social). Login is ``com.atproto.server.
createSession`` only (no profile lookup). Double posting is prevented by a record key derived
from the delivery's idempotency key: before ``createRecord`` we ask ``getRecord`` for that key,
and a post that an earlier, unrecorded attempt created is reported instead of posted again.
"""

from __future__ import annotations

import hashlib

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from heco.comms import counting
from heco.comms.channels.base import (
    ChannelPlugin,
    PublishError,
    PublishResult,
    Rendition,
    read_image,
)

DEFAULT_PDS = "https://bsky.social"
POST_COLLECTION = "app.bsky.feed.post"
TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"  # base32-sortable


def tid_for(idempotency_key: str, when=None) -> str:
    """A stable record key (TID): the delivery's creation time in microseconds and a 10-bit
    clock id from the idempotency key, encoded base32-sortable (13 characters)."""
    when = when or timezone.now()
    micros = int(when.timestamp() * 1_000_000) & ((1 << 53) - 1)
    clock = int.from_bytes(hashlib.sha256(idempotency_key.encode()).digest()[:2], "big") & 0x3FF
    value = (micros << 10) | clock
    chars = []
    for _i in range(13):
        chars.append(TID_ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def _facet_models(facets: list[dict]):
    from atproto import models

    out = []
    for facet in facets:
        features = []
        for feature in facet["features"]:
            if feature["$type"].endswith("#link"):
                features.append(models.AppBskyRichtextFacet.Link(uri=feature["uri"]))
            elif feature["$type"].endswith("#tag"):
                features.append(models.AppBskyRichtextFacet.Tag(tag=feature["tag"]))
        out.append(
            models.AppBskyRichtextFacet.Main(
                index=models.AppBskyRichtextFacet.ByteSlice(
                    byte_start=facet["index"]["byteStart"], byte_end=facet["index"]["byteEnd"]
                ),
                features=features,
            )
        )
    return out


def _delivery_created_at(idempotency_key: str):
    from heco.comms.models import Delivery

    return (
        Delivery.objects.filter(idempotency_key=idempotency_key)
        .values_list("created_at", flat=True)
        .first()
    )


class BlueskyPlugin(ChannelPlugin):
    kind = "bluesky"
    label = "Bluesky"
    limit = 300
    max_bytes = 3000
    max_hashtags = 3
    max_images = 4
    image_size = "800"  # blobs are limited to about 1 MB

    def count(self, text: str) -> int:
        return counting.bluesky_length(text)

    def facets(self, text: str) -> list[dict]:
        return counting.bluesky_facets(text)

    def publish(self, channel, rendition: Rendition, idempotency_key: str) -> PublishResult:
        from atproto import Client, models
        from atproto_client import exceptions

        problems = self.limit_problems(rendition.text, self.limit)
        if problems:  # the PDS would refuse it (atproto's own model would not even build it)
            raise PublishError(" ".join(problems), retryable=False)
        credentials = channel.get_credentials()
        if not credentials.get("identifier") or not credentials.get("password"):
            raise PublishError(str(_("The channel has no login or app password.")), retryable=False)
        rkey = tid_for(idempotency_key, _delivery_created_at(idempotency_key))
        client = Client(base_url=channel.base_url or DEFAULT_PDS)
        try:
            session = client.login(
                credentials["identifier"], credentials["password"], fetch_bsky_profile=False
            )
            del session  # login returns the profile (None here); the session is on the client
            did, handle = client._session.did, client._session.handle
            existing = _existing_post(client, did, rkey)
            if existing:  # an earlier attempt got through before we could record it
                return PublishResult(existing, _post_url(handle, existing))
            embed = None
            if rendition.images:
                images = []
                for image in rendition.images:
                    blob = client.upload_blob(read_image(image)).blob
                    images.append(models.AppBskyEmbedImages.Image(alt=image.alt, image=blob))
                embed = models.AppBskyEmbedImages.Main(images=images)
            record = models.AppBskyFeedPost.Record(
                text=rendition.text,
                created_at=client.get_current_time_iso(),
                langs=[rendition.lang],
                facets=_facet_models(rendition.facets) or None,
                embed=embed,
            )
            try:
                response = client.com.atproto.repo.create_record(
                    models.ComAtprotoRepoCreateRecord.Data(
                        repo=did, collection=POST_COLLECTION, rkey=rkey, record=record
                    )
                )
                uri = response.uri
            except exceptions.BadRequestError as exc:
                if "already exists" not in str(exc).lower():
                    raise
                uri = f"at://{did}/{POST_COLLECTION}/{rkey}"  # an earlier attempt got through
        except exceptions.UnauthorizedError as exc:
            raise PublishError(f"Bluesky refused the login: {exc}", retryable=False) from exc
        except exceptions.BadRequestError as exc:
            raise PublishError(f"Bluesky refused the post: {exc}", retryable=False) from exc
        except exceptions.AtProtocolError as exc:
            raise PublishError(f"Bluesky: {exc!r}", retryable=True) from exc
        return PublishResult(uri, _post_url(handle, uri))


def _post_url(handle: str, uri: str) -> str:
    return f"https://bsky.app/profile/{handle}/post/{uri.rsplit('/', 1)[-1]}"


def _existing_post(client, did: str, rkey: str) -> str:
    """The at:// URI of our record key if it exists already (``getRecord``), else ""."""
    from atproto import models
    from atproto_client import exceptions

    try:
        found = client.com.atproto.repo.get_record(
            models.ComAtprotoRepoGetRecord.Params(repo=did, collection=POST_COLLECTION, rkey=rkey)
        )
    except exceptions.BadRequestError:  # RecordNotFound
        return ""
    return found.uri
