"""Language-neutral URLs: the iCalendar feeds (``?lang=`` picks the text language)."""

from django.urls import path

from heco.systems import views

app_name = "systems_feeds"
urlpatterns = [
    path("feeds/events.ics", views.feed_events, name="events"),
    path("feeds/communities/<slug:slug>.ics", views.feed_community, name="community"),
    path("feeds/organisations/<slug:slug>.ics", views.feed_organisation, name="organisation"),
    path("feeds/assets/<slug:slug>.ics", views.feed_asset, name="asset"),
]
