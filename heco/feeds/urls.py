"""Public news pages and the embed help page under /<lang>/ (i18n_patterns in heco/urls.py)."""

from django.urls import path

from heco.feeds import views

app_name = "news"
urlpatterns = [
    path("news/", views.news_list, name="list"),
    path("news/<slug:slug>/", views.news_detail, name="item"),
    path("embed/", views.embed_help, name="embed-help"),
]
