"""Public pages under /<lang>/ (mounted inside i18n_patterns in heco/urls.py)."""

from django.urls import path

from heco.systems import views

app_name = "systems"
urlpatterns = [
    path("routes/", views.route_list, name="routes"),
    path("routes/<slug:slug>/", views.route_detail, name="route"),
    path("routes/<slug:slug>/print/", views.route_print, name="route-print"),
    path("routes/<slug:slug>.gpx", views.route_gpx, name="route-gpx"),
    path("routes/<slug:slug>.geojson", views.route_geojson, name="route-geojson"),
    path("routes/<slug:slug>.pdf", views.route_pdf_view, name="route-pdf"),
    path("passes/", views.pass_list, name="passes"),
    path("passes/<slug:slug>/", views.pass_detail, name="pass"),
    path("calendar/", views.network_calendar, name="calendar"),
    path("service-map/", views.service_map_view, name="service-map"),
]
