"""Language-neutral URLs: the root redirect, sitemap, robots.txt, health check."""

from django.urls import path
from django.views.i18n import set_language

from heco.site import views

urlpatterns = [
    path("", views.root, name="root"),
    path("healthz", views.healthz, name="healthz"),
    path("robots.txt", views.robots, name="robots"),
    path("sitemap.xml", views.sitemap_index, name="sitemap"),
    path("sitemaps/<slug:section>-<int:page>.xml", views.sitemap_section, name="sitemap-section"),
    path("i18n/setlang/", set_language, name="set_language"),
]
