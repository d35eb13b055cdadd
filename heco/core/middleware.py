"""Site-wide middleware: security headers, and the page cache for anonymous visitors."""

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.core.exceptions import DisallowedHost
from django.http import HttpResponse
from django.utils.cache import cc_delim_re

from heco.core.cache import catalogue_version, page_cache_key


class SecurityHeadersMiddleware:
    """Content-Security-Policy and related headers on every response (no third-party scripts)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = (
                "default-src 'self'; img-src 'self' data: https://tile.openstreetmap.org; "
                "style-src 'self' 'unsafe-inline'; script-src 'self'; frame-ancestors 'none'; "
                "base-uri 'self'; form-action 'self'"
            )
        response.setdefault("Permissions-Policy", "geolocation=(self), camera=(), microphone=()")
        return response


class AnonymousPageCacheMiddleware:
    """Serve public pages to anonymous visitors from the cache (see heco.core.cache).

    Placed early (right after WhiteNoise): a hit skips sessions, locale, CSRF and
    authentication, which is safe because only requests that carry no session, no messages
    cookie and no Authorization header are looked up, and only responses that set no cookie
    and did not use the CSRF token are stored — with every header the inner middleware added
    (Content-Language, Vary, security headers). Responses say ``X-Page-Cache: hit`` or
    ``miss`` when the page was eligible.
    """

    STORABLE_VARY = frozenset({"cookie", "accept", "hx-request"})

    def __init__(self, get_response):
        self.get_response = get_response
        self.seconds = settings.HECO_PAGE_CACHE_SECONDS
        self.prefixes = tuple(f"/{code}/" for code in settings.LANGUAGE_CODES)
        self.private_cookies = (settings.SESSION_COOKIE_NAME, CookieStorage.cookie_name)

    def _eligible(self, request) -> bool:
        return (
            self.seconds > 0
            and request.method == "GET"
            and request.path.startswith(self.prefixes)
            and "HTTP_AUTHORIZATION" not in request.META
            and not any(name in request.COOKIES for name in self.private_cookies)
        )

    def __call__(self, request):
        if not self._eligible(request):
            return self.get_response(request)
        try:
            # the version is read once, before rendering: a page rendered while a write lands
            # is stored under the version that write retired, so it is never served
            key = page_cache_key(request, catalogue_version())
        except DisallowedHost:
            return self.get_response(request)
        cached = cache.get(key)
        if cached is not None:
            status, headers, content = cached
            response = HttpResponse(content, status=status, headers=headers)
            response["X-Page-Cache"] = "hit"
            return response
        response = self.get_response(request)
        if self._storable(request, response):
            headers = {k: v for k, v in response.items() if k != "X-Page-Cache"}
            cache.set(key, (response.status_code, headers, response.content), self.seconds)
            response["X-Page-Cache"] = "miss"
        return response

    def _storable(self, request, response) -> bool:
        match = getattr(request, "resolver_match", None)
        if match is None or not getattr(match.func, "heco_public_page", False):
            return False
        if response.status_code != 200 or response.streaming or response.cookies:
            return False
        if request.META.get("CSRF_COOKIE_NEEDS_UPDATE") or request.META.get("CSRF_COOKIE_USED"):
            return False
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return False
        control = response.get("Cache-Control", "").lower()
        if any(word in control for word in ("private", "no-store", "no-cache")):
            return False
        vary = {v.strip().lower() for v in cc_delim_re.split(response.get("Vary", "")) if v}
        return vary <= self.STORABLE_VARY
