"""Reads for printing: find a print target by UUID or slug, and the public URL of a target."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils.translation import override

from heco.heritage.models import Asset
from heco.network.models import Network, Organisation
from heco.programme.models import Event
from heco.systems.models import Route

TARGET_MODELS = {"asset": Asset, "event": Event, "organisation": Organisation, "route": Route}
# Public page of each target type: URL name, and the section of /<lang>/<section>/<slug>/.
PUBLIC_PAGES = {
    "asset": ("site:asset", "assets"),
    "event": ("site:event", "events"),
    "organisation": ("site:organisation", "organisations"),
    "route": ("systems:route", "routes"),
}


def target_type_of(obj) -> str:
    for name, model in TARGET_MODELS.items():
        if isinstance(obj, model):
            return name
    raise TypeError(f"{type(obj).__name__} cannot be the target of a short link")


def public_path(obj, lang: str) -> str:
    """The current public URL path of an asset, event, organisation or route in ``lang``."""
    name, section = PUBLIC_PAGES[target_type_of(obj)]
    with override(lang):
        try:
            return reverse(name, kwargs={"slug": obj.slug})
        except NoReverseMatch:  # the public site does not have this page (yet)
            return f"/{lang}/{section}/{obj.slug}/"


def short_link_base() -> str:
    """Where ``/q/<code>`` is served: HECO_SHORT_LINK_BASE if set, else the site URL."""
    return (getattr(settings, "HECO_SHORT_LINK_BASE", "") or settings.SITE_URL).rstrip("/")


def short_url(code: str) -> str:
    return f"{short_link_base()}/q/{code}"


def short_url_text(code: str) -> str:
    """The short URL as printed under a QR code: without the scheme, e.g. heco.example/q/7KQ2M."""
    url = short_url(code)
    return url.split("://", 1)[-1]


def find_by_id_or_slug(model, ident: str):
    """An instance of ``model`` by UUID or slug, or None."""
    ident = (ident or "").strip()
    try:
        return model.objects.filter(pk=uuid.UUID(ident)).first()
    except ValueError:
        return model.objects.filter(slug=ident).first()


def find_any(ident: str, models=(Event, Asset, Organisation, Route, Network)):
    """The first record among ``models`` that ``ident`` names, to explain a wrong kind."""
    for model in models:
        obj = find_by_id_or_slug(model, ident)
        if obj is not None:
            return obj
    return None
