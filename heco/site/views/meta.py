"""Small non-page views: the root redirect, health check, robots.txt."""

from django.db import connection
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language_from_request, override


def root(request):
    """``/`` -> ``/<lang>/`` chosen from the Accept-Language header (or the language cookie)."""
    code = get_language_from_request(request, check_path=False)
    with override(code):
        target = reverse("site:home")
    response = HttpResponseRedirect(target)
    patch_vary_headers(response, ("Accept-Language", "Cookie"))
    return response


def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok", "database": connection.vendor})


def robots(request):
    lines = ["User-agent: *", "Disallow: /admin/", "Disallow: /api/", ""]
    lines.append(f"Sitemap: {request.build_absolute_uri('/sitemap.xml')}")
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")
