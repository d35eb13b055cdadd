"""Small non-page views: the root redirect, health check, robots.txt, sitemaps."""

from django.contrib.sitemaps.views import SitemapIndexItem, sitemap
from django.db import connection
from django.http import Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language_from_request, override

from heco.core.cache import read_only


@read_only
def root(request):
    """``/`` -> ``/<lang>/`` chosen from the Accept-Language header (or the language cookie)."""
    code = get_language_from_request(request, check_path=False)
    with override(code):
        target = reverse("site:home")
    response = HttpResponseRedirect(target)
    patch_vary_headers(response, ("Accept-Language", "Cookie"))
    return response


@read_only
def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok", "database": connection.vendor})


@read_only
def robots(request):
    lines = ["User-agent: *", "Disallow: /admin/", "Disallow: /api/", ""]
    lines.append(f"Sitemap: {request.build_absolute_uri('/sitemap.xml')}")
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")


@read_only
def sitemap_index(request):
    """``/sitemap.xml``: a sitemap index naming one file per section and page
    (``/sitemaps/assets-2.xml``), so a catalogue of any size is listed whole: one sitemap file
    may hold 50,000 URLs, and each of ours holds ``limit`` (5,000) URLs."""
    from heco.site.sitemaps import sitemap_files

    items = [
        SitemapIndexItem(
            request.build_absolute_uri(
                reverse("sitemap-section", kwargs={"section": section, "page": number})
            )
        )
        for section, number in sitemap_files()
    ]
    return TemplateResponse(
        request, "sitemap_index.xml", {"sitemaps": items}, content_type="application/xml"
    )


@read_only
def sitemap_section(request, section: str, page: int):
    """One page of one section (Django's sitemap view; hreflang alternates, x-default);
    404 for an unknown section or a page past the end."""
    from heco.site.sitemaps import SITEMAPS

    if section not in SITEMAPS:
        raise Http404("No such sitemap section.")
    request.GET = request.GET.copy()
    request.GET["p"] = str(page)  # Django's view reads its page from ?p=
    return sitemap(request, sitemaps=SITEMAPS, section=section)
