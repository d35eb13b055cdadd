from urllib.parse import unquote, urlsplit, urlunsplit

from django.conf import settings
from django.urls import NoReverseMatch, Resolver404, resolve
from django.utils.translation import get_language, get_language_info, override

from heco.site.reversing import cached_reverse

OG_LOCALES = {
    "en": "en_GB",
    "lt": "lt_LT",
    "it": "it_IT",
    "sl": "sl_SI",
    "mt": "mt_MT",
    "nl": "nl_NL",
}


def translated_urls(url: str, codes) -> dict[str, str]:
    """``{code: django.urls.translate_url(url, code)}`` for every code, resolving ``url`` once
    (translate_url resolves it again for each language: six resolves per page)."""
    parsed = urlsplit(url)
    try:
        match = resolve(unquote(parsed.path))  # the URL may be encoded
    except Resolver404:
        return dict.fromkeys(codes, url)
    name = f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name
    urls = {}
    for code in codes:
        with override(code):
            try:
                path = cached_reverse(name, args=match.args, kwargs=match.kwargs)
            except NoReverseMatch:
                urls[code] = url
                continue
        urls[code] = urlunsplit((parsed.scheme, parsed.netloc, path, parsed.query, parsed.fragment))
    return urls


def site(request):
    """Site-wide template values: the language links of the current page (switcher and
    hreflang alternates), its canonical URL, and the map tile URL."""
    current = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    urls = translated_urls(request.get_full_path(), settings.LANGUAGE_CODES)
    links = []
    for code in settings.LANGUAGE_CODES:
        url = urls[code]
        info = get_language_info(code)
        links.append(
            {
                "code": code,
                "name_local": info["name_local"],
                "url": url,
                "absolute_url": request.build_absolute_uri(url),
                "current": code == current,
                "og_locale": OG_LOCALES.get(code, code),
            }
        )
    # x-default: the address without a language prefix; LocaleMiddleware redirects it by
    # Accept-Language (the same form the sitemap uses)
    prefix = f"/{current}/"
    bare = request.path[len(prefix) - 1 :] if request.path.startswith(prefix) else ""
    return {
        "LANGUAGE_CODES": settings.LANGUAGE_CODES,
        "SITE_URL": settings.SITE_URL,
        "language_links": links,
        "x_default_url": request.build_absolute_uri(bare) if bare else "",
        "canonical_url": request.build_absolute_uri(request.path),
        "MAP_TILES": settings.HECO_MAP_TILES,
        "og_locale": OG_LOCALES.get(current, current),
    }
