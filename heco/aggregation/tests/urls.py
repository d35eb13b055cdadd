"""Test URLconf: the aggregation URLs mounted at the root exactly as heco/urls.py mounts them,
plus media serving, so these tests do not depend on other apps' work in progress."""

from django.conf import settings
from django.urls import include, path
from django.views.static import serve


def media(request, path):
    return serve(request, path, document_root=settings.MEDIA_ROOT)  # read per test


urlpatterns = [
    path("", include("heco.aggregation.urls")),
    path("media/<path:path>", media),
]
