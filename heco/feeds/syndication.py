"""RSS 2.0 and Atom feeds of published communication items (Django's syndication framework).

``/feeds/news.rss|atom``, ``/feeds/communities/<slug>/news.rss|atom`` and
``/feeds/organisations/<slug>/news.rss|atom``; ``?lang=`` picks the language (default en), each
text falling back as language maps do (requested -> network default -> English -> any), with
the fallback language named in the entry. Links are absolute (on ``HECO_SITE_URL``); an entry's
id is the item's UUID as a URN (``urn:uuid:…``), stable across renames and hosts.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.translation import gettext as _
from django.utils.translation import override

from heco.core.langmap import pick
from heco.feeds.selectors import FEED_LIMIT, feed_language, items_for
from heco.network.models import Community, Organisation

EMPTY_FEED_DATE = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)


@dataclass
class FeedScope:
    lang: str
    default: str = "en"
    community: Community | None = None
    organisation: Organisation | None = None

    @property
    def owner(self):
        return self.organisation or self.community

    @property
    def name(self) -> str:
        return pick(self.owner.name, self.lang, self.default).text if self.owner else ""


def _default_language() -> str:
    from heco.site.selectors import network_default_language

    return network_default_language()


class NewsRssFeed(Feed):
    feed_type = Rss201rev2Feed
    suffix = "rss"

    def get_object(self, request, scope=None, slug=None):
        lang = feed_language(request.GET.get("lang"))
        default = _default_language()
        if scope == "communities":
            community = get_object_or_404(Community, slug=slug)
            return FeedScope(lang, default, community=community)
        if scope == "organisations":
            organisation = get_object_or_404(Organisation, slug=slug)
            return FeedScope(lang, default, organisation=organisation)
        return FeedScope(lang, default)

    def get_feed(self, obj, request):
        with override(obj.lang):
            feed = super().get_feed(obj, request)
        if not feed.items:
            # Django falls back to "now" for an empty feed; a stable date keeps the bytes (and
            # the static export, and readers' caches) unchanged until there is news
            feed.latest_post_date = lambda: EMPTY_FEED_DATE
        return feed

    def __call__(self, request, *args, **kwargs):
        response = super().__call__(request, *args, **kwargs)
        response["Access-Control-Allow-Origin"] = "*"  # feed readers in the browser
        return response

    # --- the feed ---
    def title(self, obj):
        if obj.owner:
            return _("%(name)s: news · HE.CO Hub") % {"name": obj.name}
        return _("News · HE.CO Hub")

    def description(self, obj):
        if obj.owner:
            return _("News and stories from %(name)s.") % {"name": obj.name}
        return _("News and stories from the heritage of small communities.")

    subtitle = description

    def link(self, obj):
        if obj.organisation:
            path = reverse("site:organisation", kwargs={"slug": obj.organisation.slug})
        elif obj.community:
            path = reverse("site:community", kwargs={"slug": obj.community.slug})
        else:
            path = reverse("news:list")
        return settings.SITE_URL + path

    def feed_url(self, obj):
        if obj.owner:
            kind = "community" if obj.community else "organisation"
            path = reverse(f"feeds:{kind}-{self.suffix}", kwargs={"slug": obj.owner.slug})
        else:
            path = reverse(f"feeds:news-{self.suffix}")
        return f"{settings.SITE_URL}{path}?lang={obj.lang}"

    def feed_guid(self, obj):
        return self.feed_url(obj)

    def items(self, obj):
        items = list(items_for(community=obj.community, organisation=obj.organisation)[:FEED_LIMIT])
        for item in items:
            item.feed_lang, item.feed_default = obj.lang, obj.default
        return items

    # --- each entry ---
    def _pick(self, item, field):
        return pick(getattr(item, field), item.feed_lang, item.feed_default)

    def item_title(self, item):
        title = self._pick(item, "title")
        if title.is_fallback:
            from heco.site.templatetags.heco_site import fallback_marker

            return f"{title.text} {fallback_marker(title.lang)}"
        return title.text

    def item_description(self, item):
        return (self._pick(item, "summary") or self._pick(item, "body")).text

    def item_link(self, item):
        return settings.SITE_URL + reverse("news:item", kwargs={"slug": item.slug})

    def item_guid(self, item):
        return item.id.urn  # "urn:uuid:…"

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item.published_at or item.created_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_author_name(self, item):
        return pick(item.organisation.name, item.feed_lang, item.feed_default).text

    def item_categories(self, item):
        return [item.get_kind_display()]


class NewsAtomFeed(NewsRssFeed):
    feed_type = Atom1Feed
    suffix = "atom"
