"""Absolute URLs of public pages, as the API hands them out.

The public site serves ``/<lang>/<section>/<slug>/``; we build the address from
``settings.SITE_URL`` (not the request's Host header) so URLs are stable whichever host or proxy
the API was reached through.
"""

from django.conf import settings

SECTIONS = {
    "asset": "assets",
    "organisation": "organisations",
    "community": "communities",
    "network": "networks",
    "service": "services",
    "event": "events",
}


def public_url(kind: str, slug: str, lang: str | None = None) -> str:
    """``public_url("asset", "plunge-manor", "lt")`` -> ``https://…/lt/assets/plunge-manor/``."""
    lang = lang if lang in settings.LANGUAGE_CODES else settings.LANGUAGE_CODE
    return f"{settings.SITE_URL}/{lang}/{SECTIONS[kind]}/{slug}/"
