"""Staff workspace for communication, mounted under /staff/comms/ (no language prefix)."""

from django.urls import path

from heco.comms import views

app_name = "comms"
urlpatterns = [
    path("", views.item_list, name="items"),
    path("items/new/", views.item_edit, name="item-add"),
    path("items/<uuid:pk>/", views.item_detail, name="item"),
    path("items/<uuid:pk>/edit/", views.item_edit, name="item-edit"),
    path("items/<uuid:pk>/action/", views.item_action, name="item-action"),
    path("calendar/<slug:slug>/", views.organisation_calendar, name="organisation-calendar"),
    path("network/<slug:slug>/calendar/", views.network_calendar, name="network-calendar"),
]
