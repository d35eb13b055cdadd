"""Channel kinds: one folder each, one :class:`~heco.comms.channels.base.ChannelPlugin`.

To add a kind: copy ``mastodon/``, change ``plugin.py``, add a ``Channel.Kind`` choice and
register the class in ``PLUGINS`` below.
"""

from __future__ import annotations

from functools import cache

PLUGINS = {
    "mastodon": "heco.comms.channels.mastodon.plugin.MastodonPlugin",
    "bluesky": "heco.comms.channels.bluesky.plugin.BlueskyPlugin",
    "facebook": "heco.comms.channels.export.plugin.FacebookPlugin",
    "instagram": "heco.comms.channels.export.plugin.InstagramPlugin",
    "x": "heco.comms.channels.export.plugin.XPlugin",
}


@cache
def get_plugin(kind: str):
    from django.utils.module_loading import import_string

    return import_string(PLUGINS[kind])()
