"""The one base class every channel kind implements.

A channel kind is a folder ``heco/comms/channels/<kind>/`` whose ``plugin.py`` defines a
subclass of :class:`ChannelPlugin` and registers it in ``heco/comms/channels/__init__.py``.
Two methods matter:

``render(item, lang) -> Rendition``
    The post for this network, in one language: text, its length counted the network's way,
    the limit, facets (Bluesky), images with their alt text, and the problems that block
    scheduling (over the limit, an image without alt text in ``lang``).

``publish(channel, rendition, idempotency_key) -> PublishResult(remote_id, remote_url)``
    Send it through the network's client library. Raise :class:`PublishError` (``retryable``
    says whether trying again later may help). The same ``idempotency_key`` is passed on every
    retry; use the network's own idempotency mechanism with it where there is one.

Networks without an open API (Facebook, Instagram, X) set ``exports = True``: nothing is sent,
the delivery keeps the copy-ready text.
"""

from __future__ import annotations

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

    @property
    def over_limit(self) -> bool:
        return self.length > self.limit

    @property
    def ok(self) -> bool:
        return not self.errors


class PublishResult(NamedTuple):
    remote_id: str
    remote_url: str


class PublishError(Exception):
    def __init__(self, message: str, *, retryable: bool = True):
        super().__init__(message)
        self.retryable = retryable


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
    max_hashtags: int = 5
    max_images: int = 4
    image_size: str = "1600"  # which Media rendition to upload
    exports: bool = False  # True: copy-ready text, nothing is sent

    # --- counting: override per network ---
    def count(self, text: str) -> int:
        raise NotImplementedError

    def facets(self, text: str) -> list[dict]:
        return []

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

    def render(self, item, lang: str) -> Rendition:
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
        while self.count(composed) > self.limit and tags:
            tags = tags[:-1]
            composed = self.compose(title=title.text, text=text.text, link=link, hashtags=tags)
        length = self.count(composed)
        if length > self.limit:
            errors.append(
                _("The %(network)s post is %(length)d long; the limit is %(limit)d.")
                % {"network": self.label, "length": length, "limit": self.limit}
            )
        images = self.render_images(item, text_lang, errors, warnings)
        return Rendition(
            kind=self.kind,
            lang=text_lang,
            text=composed,
            length=length,
            limit=self.limit,
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


def read_image(image: RenditionImage) -> bytes:
    from django.core.files.storage import default_storage

    with default_storage.open(image.path, "rb") as fh:
        return fh.read()
