"""Public pages under /<lang>/ (mounted with i18n_patterns in heco/urls.py)."""

from django.urls import path

from heco.site import views

app_name = "site"
urlpatterns = [
    path("", views.home, name="home"),
    path("assets/<slug:slug>/", views.asset_detail, name="asset"),
    path("organisations/<slug:slug>/", views.organisation_detail, name="organisation"),
    path("communities/<slug:slug>/", views.community_detail, name="community"),
    path("networks/<slug:slug>/", views.network_detail, name="network"),
    path("services/", views.service_list, name="services"),
    path("services/<slug:slug>/", views.service_detail, name="service"),
    path("events/", views.event_list, name="events"),
    path("events/calendar/", views.event_calendar, name="calendar"),
    path("events/<slug:slug>/", views.event_detail, name="event"),
    path("search/", views.search, name="search"),
]
