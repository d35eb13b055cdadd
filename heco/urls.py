from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.views.static import serve

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("heco.site.urls_root")),
    path("api/v1/", include("heco.api.urls")),
    path("", include("heco.aggregation.urls")),
    path("", include("heco.printing.urls")),
    path("", include("heco.systems.urls_root")),
    path("staff/comms/", include("heco.comms.urls")),
    path("", include("heco.newsletters.urls_root")),
    path("", include("heco.feeds.urls_root")),
]
urlpatterns += i18n_patterns(
    path("", include("heco.site.urls")),
    path("", include("heco.systems.urls")),
    path("", include("heco.newsletters.urls")),
    path("", include("heco.feeds.urls")),
    prefix_default_language=True,
)


def serve_media(request, path):
    """Uploaded media for a local run (nginx or object storage serves it in production)."""
    return serve(request, path, document_root=settings.MEDIA_ROOT)


if settings.DEBUG or not settings.PRODUCTION:
    urlpatterns.append(path("media/<path:path>", serve_media))
