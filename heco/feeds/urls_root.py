"""Language-neutral URLs: RSS/Atom news feeds (``?lang=``) and the embeddable widgets
(``/embed/<lang>/…``, the language in the path so partners pick it in the iframe src)."""

from django.urls import path

from heco.core.cache import read_only
from heco.feeds import views
from heco.feeds.syndication import NewsAtomFeed, NewsRssFeed

rss, atom = read_only(NewsRssFeed()), read_only(NewsAtomFeed())  # GET and HEAD only

app_name = "feeds"
urlpatterns = [
    path("feeds/news.rss", rss, name="news-rss"),
    path("feeds/news.atom", atom, name="news-atom"),
    path("feeds/communities/<slug:slug>/news.rss", rss, {"scope": "communities"},
         name="community-rss"),
    path("feeds/communities/<slug:slug>/news.atom", atom, {"scope": "communities"},
         name="community-atom"),
    path("feeds/organisations/<slug:slug>/news.rss", rss, {"scope": "organisations"},
         name="organisation-rss"),
    path("feeds/organisations/<slug:slug>/news.atom", atom, {"scope": "organisations"},
         name="organisation-atom"),
    path("embed/<str:lang>/events/", views.embed_events, name="embed-events"),
    path("embed/<str:lang>/map/", views.embed_map, name="embed-map"),
    path("embed/<str:lang>/assets/<slug:slug>/card", views.embed_asset, name="embed-asset"),
]  # fmt: skip
