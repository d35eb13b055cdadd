"""Language-neutral URLs: the root redirect, sitemap, robots.txt, health check."""

from django.contrib.sitemaps.views import sitemap
from django.urls import path
from django.views.i18n import set_language

from heco.site import views
from heco.site.sitemaps import SITEMAPS

urlpatterns = [
    path("", views.root, name="root"),
    path("healthz", views.healthz, name="healthz"),
    path("robots.txt", views.robots, name="robots"),
    path(
        "sitemap.xml",
        sitemap,
        {"sitemaps": SITEMAPS},
        name="django.contrib.sitemaps.views.sitemap",
    ),
    path("i18n/setlang/", set_language, name="set_language"),
]
