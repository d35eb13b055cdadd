"""The one base class every channel kind implements.

A channel kind is a folder ``heco/comms/channels/<kind>/`` whose ``plugin.py`` defines a
subclass of :class:`ChannelPlugin` and registers it in ``heco/comms/channels/__init__.py``.
Two methods matter:

``render(item, lang, channel=None) -> Rendition``
    The post for this network, in one language: text, its length counted the network's way,
    the limit (``limit_for(channel)``: a Mastodon instance may allow more than 500), its size
    in UTF-8 bytes where the network limits that too (``max_bytes``: Bluesky), facets
    (Bluesky), images with their alt text, and the problems that block saving (over a limit:
    ``limit_errors``) or scheduling (those, and an image without alt text in ``lang``).

``publish(channel, rendition, idempotency_key) -> PublishResult(remote_id, remote_url)``
    Send it through the network's client library. Raise :class:`PublishError` (``retryable``
    says whether trying again later may help, ``maybe_posted`` whether the post may have gone
    out all the same — no answer, a 5xx —, ``retry_after`` how long the network asked us to
    wait). The same ``idempotency_key`` is passed on every retry; use the network's own
    idempotency mechanism with it where there is one.

``find_existing(channel, rendition, since) -> PublishResult | None``
    Only for networks whose idempotency is limited in time (``idempotency_window``: Mastodon
    keeps an Idempotency-Key for one hour): the post an earlier, unanswered attempt made, if
    there is one. The sender asks it before posting again once the window has passed.

Networks without an open API (Facebook, Instagram, X) set ``exports = True``: nothing is sent,
the delivery keeps the copy-ready text.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import NamedTuple

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import override

from heco.core.langmap import pick

MAX_ALT_LENGTH = 1500  # Mastodon's limit; Bluesky allows more


@dataclass
class RenditionImage:
    media_id: int
    alt: str
    path: str  # storage path of the file to upload
    mime_type: str
    label: str = ""


@dataclass
class Rendition:
    kind: str
    lang: str
    text: str
    length: int
    limit: int
    facets: list[dict] = field(default_factory=list)
    images: list[RenditionImage] = field(default_factory=list)
    hashtags: list[str] = field(default_factory=list)
    link: str = ""
    errors: list[str] = field(default_factory=list)  # block scheduling
    warnings: list[str] = field(default_factory=list)  # shown, not blocking
    byte_length: int = 0
    max_bytes: int | None = None
    limit_errors: list[str] = field(default_factory=list)  # over a limit (also in errors)

    @property
    def over_limit(self) -> bool:
        return self.length > self.limit or bool(
            self.max_bytes and self.byte_length > self.max_bytes
        )

    @property
    def ok(self) -> bool:
        return not self.errors


class PublishResult(NamedTuple):
    remote_id: str
    remote_url: str


class PublishError(Exception):
    """``retryable``: trying again later may help. ``maybe_posted``: the network may have
    made the post although we got no success (no answer, a 5xx; defaults to ``retryable``);
    a refusal (4xx, 429) says it did not. ``retry_after``: how long the network asked us to
    wait (a 429's ``Retry-After`` or rate-limit reset time)."""

    def __init__(
        self,
        message: str,
        *,
        retryable: bool = True,
        maybe_posted: bool | None = None,
        retry_after: dt.timedelta | None = None,
    ):
        super().__init__(message)
        self.retryable = retryable
        self.maybe_posted = retryable if maybe_posted is None else maybe_posted
        self.retry_after = retry_after


def hashtag_from(value: str) -> str:
    """ "public-space" -> "PublicSpace", "medinė architektūra" -> "MedinėArchitektūra"."""
    words = [w for w in re.split(r"[\W_]+", value, flags=re.UNICODE) if w]
    if len(words) == 1:
        return words[0]
    return "".join(w[:1].upper() + w[1:] for w in words)


def news_path(item, lang: str) -> str:
    """The item's own public news page (heco.feeds) in ``lang``."""
    with override(lang):
        try:
            return reverse("news:item", kwargs={"slug": item.slug})
        except NoReverseMatch:
            return f"/{lang}/news/{item.slug}/"


def item_link(item, lang: str) -> str:
    """Where the posts link to: the item's own link if staff set one, else its public news
    page (absolute, on SITE_URL). The news page goes public when the item's time comes,
    before any post is sent (``services.item_publish_due``), so the link never 404s."""
    if item.link_url:
        return item.link_url
    return settings.SITE_URL + news_path(item, lang)


def item_hashtags(item) -> list[str]:
    """Hashtags from the linked assets' tags and themes, in order, without duplicates."""
    tags: list[str] = []
    seen: set[str] = set()
    for asset in item.assets.order_by("slug"):
        for value in list(asset.tags or []) + list(asset.themes or []):
            tag = hashtag_from(str(value))
            if tag and tag.lower() not in seen and not tag.isdigit():
                seen.add(tag.lower())
                tags.append(tag)
    return tags


def _mime_for(path: str) -> str:
    ext = path.rsplit(".", 1)[-1].lower()
    return {"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp",
            "gif": "image/gif"}.get(ext, "application/octet-stream")  # fmt: skip


class ChannelPlugin:
    kind: str = ""
    label: str = ""
    limit: int = 500
    max_bytes: int | None = None  # a limit in UTF-8 bytes as well (Bluesky)
    # how long the network remembers an idempotency key; None: for ever (Bluesky's record key)
    # or nothing is sent (exports)
    idempotency_window: dt.timedelta | None = None
    max_hashtags: int = 5
    max_images: int = 4
    image_size: str = "1600"  # which Media rendition to upload
    exports: bool = False  # True: copy-ready text, nothing is sent

    # --- counting: override per network ---
    def count(self, text: str) -> int:
        raise NotImplementedError

    def facets(self, text: str) -> list[dict]:
        return []

    def limit_for(self, channel=None) -> int:
        """The length limit of posts on ``channel``; the network's own by default."""
        return self.limit

    def limit_problems(self, text: str, limit: int) -> list[str]:
        """One sentence per limit ``text`` is over, naming the limit and how far over."""
        problems = []
        length = self.count(text)
        if length > limit:
            problems.append(
                _(
                    "The %(network)s post is %(length)d characters long, %(over)d over the "
                    "limit of %(limit)d."
                )
                % {"network": self.label, "length": length, "over": length - limit, "limit": limit}
            )
        if self.max_bytes is not None:
            size = len(text.encode("utf-8"))
            if size > self.max_bytes:
                problems.append(
                    _(
                        "The %(network)s post is %(size)d bytes long in UTF-8, %(over)d over the "
                        "limit of %(max)d bytes."
                    )
                    % {"network": self.label, "size": size, "over": size - self.max_bytes,
                       "max": self.max_bytes}
                )  # fmt: skip
        return problems

    # --- rendering ---
    def compose(self, *, title: str, text: str, link: str, hashtags: list[str]) -> str:
        parts = [title.strip()]
        if text.strip() and text.strip() != title.strip():
            parts.append(text.strip())
        if link:
            parts.append(link)
        if hashtags:
            parts.append(" ".join(f"#{t}" for t in hashtags))
        return "\n\n".join(p for p in parts if p)

    def render(self, item, lang: str, channel=None) -> Rendition:
        limit = self.limit_for(channel)
        default = item.organisation.community.default_language if item.organisation_id else None
        title = pick(item.title, lang, default)
        text = pick(item.summary, lang, default) or pick(item.body, lang, default)
        text_lang = (title.lang if title else lang).split("-")[0]
        warnings, errors = [], []
        if not title:
            errors.append(_("The item has no title."))
        elif title.is_fallback:
            warnings.append(
                _("No text in %(lang)s: the post would be in %(actual)s.")
                % {"lang": lang, "actual": title.lang}
            )
        link = item_link(item, lang)
        tags = item_hashtags(item)[: self.max_hashtags]
        composed = self.compose(title=title.text, text=text.text, link=link, hashtags=tags)
        # hashtags are the first thing to give way when the post is too long
        while tags and self.limit_problems(composed, limit):
            tags = tags[:-1]
            composed = self.compose(title=title.text, text=text.text, link=link, hashtags=tags)
        length = self.count(composed)
        limit_errors = self.limit_problems(composed, limit)
        errors.extend(limit_errors)
        images = self.render_images(item, text_lang, errors, warnings)
        return Rendition(
            kind=self.kind,
            lang=text_lang,
            text=composed,
            length=length,
            limit=limit,
            byte_length=len(composed.encode("utf-8")),
            max_bytes=self.max_bytes,
            limit_errors=limit_errors,
            facets=self.facets(composed),
            images=images,
            hashtags=tags,
            link=link,
            errors=errors,
            warnings=warnings,
        )

    def render_images(self, item, lang: str, errors: list, warnings: list) -> list:
        images = []
        media_list = [m for m in item.images.all() if m.kind == "image"]
        if len(media_list) > self.max_images:
            warnings.append(
                _("%(network)s takes %(max)d images; only the first %(max)d are posted.")
                % {"network": self.label, "max": self.max_images}
            )
        for media in sorted(media_list, key=lambda m: (m.position, m.pk))[: self.max_images]:
            alt = (media.alt_text or {}).get(lang, "").strip()
            label = media.file.name.rsplit("/", 1)[-1] if media.file else str(media.pk)
            if not alt:
                errors.append(
                    _(
                        "The image “%(image)s” has no alt text in %(lang)s; "
                        "add it before scheduling."
                    )
                    % {"image": label, "lang": lang}
                )
            elif len(alt) > MAX_ALT_LENGTH:
                errors.append(
                    _("The alt text of “%(image)s” is longer than %(max)d characters.")
                    % {"image": label, "max": MAX_ALT_LENGTH}
                )
            path = (media.renditions or {}).get(self.image_size) or (
                media.file.name if media.file else ""
            )
            images.append(
                RenditionImage(
                    media_id=media.pk, alt=alt, path=path, mime_type=_mime_for(path), label=label
                )
            )
        return images

    # --- sending ---
    def publish(self, channel, rendition: Rendition, idempotency_key: str) -> PublishResult:
        raise NotImplementedError

    def find_existing(self, channel, rendition: Rendition, since) -> PublishResult | None:
        return None


def read_image(image: RenditionImage) -> bytes:
    from django.core.files.storage import default_storage

    with default_storage.open(image.path, "rb") as fh:
        return fh.read()
