"""Copy-ready exports for networks without an open publishing API: Facebook, Instagram, X.

Nothing is sent: the delivery is marked "exported" and keeps the text to paste, with the
images' alt texts listed for the network's own alt-text box.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from heco.comms import counting
from heco.comms.channels.base import ChannelPlugin, PublishResult, Rendition


class ExportPlugin(ChannelPlugin):
    exports = True

    def count(self, text: str) -> int:
        return counting.codepoints(text)

    def publish(self, channel, rendition: Rendition, idempotency_key: str) -> PublishResult:
        return PublishResult(f"export:{idempotency_key}", "")


class FacebookPlugin(ExportPlugin):
    kind = "facebook"
    label = "Facebook"
    limit = 63206
    max_hashtags = 3
    max_images = 10


class InstagramPlugin(ExportPlugin):
    kind = "instagram"
    label = "Instagram"
    limit = 2200
    max_hashtags = 30  # Instagram refuses a caption with more than 30 hashtags
    max_images = 10

    def render(self, item, lang, channel=None):
        rendition = super().render(item, lang, channel)
        if len(counting.hashtags_in(rendition.text)) > self.max_hashtags:
            rendition.errors.append(_("Instagram allows at most 30 hashtags in a caption."))
        if not rendition.images:
            rendition.warnings.append(_("Instagram posts need at least one image."))
        return rendition


class XPlugin(ExportPlugin):
    kind = "x"
    label = "X"
    limit = 280
    max_hashtags = 2
    max_images = 4

    def count(self, text: str) -> int:
        return counting.x_length(text)
