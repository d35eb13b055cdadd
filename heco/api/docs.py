"""Swagger UI served from the files django-ninja ships, never from a CDN.

django-ninja renders its local Swagger page only when ``"ninja"`` is in INSTALLED_APPS;
otherwise it falls back to a template that loads Swagger UI from cdn.jsdelivr.net, which our
Content-Security-Policy (``script-src 'self'``) blocks and a closed network cannot reach. So we
render our own page and serve the few static files from the installed ninja package.
"""

from __future__ import annotations

import json
import mimetypes
from pathlib import Path

import ninja
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe
from ninja.openapi.docs import Swagger

NINJA_STATIC = Path(ninja.__file__).parent / "static" / "ninja"
ASSETS = {"swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-init.js", "favicon.png"}


class LocalSwagger(Swagger):
    template = "api/swagger.html"

    def render_page(self, request, api, **kwargs):
        settings = {**self.settings, "url": self.get_openapi_url(api, kwargs)}
        context = {
            "api": api,
            "openapi_url": settings["url"],
            "swagger_settings": json.dumps(settings, indent=1),
            "asset_url": reverse("api-docs-asset", args=["x"])[:-1],
        }
        return render(request, self.template, context)


@require_safe
@cache_control(public=True, max_age=86400)
def docs_asset(request, name: str):
    if name not in ASSETS:
        raise Http404
    path = NINJA_STATIC / name
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return FileResponse(path.open("rb"), content_type=content_type)
