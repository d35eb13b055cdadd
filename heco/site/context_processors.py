from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language, get_language_info

OG_LOCALES = {
    "en": "en_GB",
    "lt": "lt_LT",
    "it": "it_IT",
    "sl": "sl_SI",
    "mt": "mt_MT",
    "nl": "nl_NL",
}


def site(request):
    """Site-wide template values: the language links of the current page (switcher and
    hreflang alternates), its canonical URL, and the map tile URL."""
    current = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    path = request.get_full_path()
    links = []
    for code in settings.LANGUAGE_CODES:
        url = translate_url(path, code)
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
