"""Reads for the public news pages, the news feeds and the embeddable widgets."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Q

from heco.comms.models import Item

FEED_LIMIT = 50


def published_items():
    """Every communication item on the web (news, stories, announcements…), newest first:
    published, or past its time with its social posts still going out (``Item.on_web``)."""
    return (
        Item.objects.on_web()
        .select_related("organisation", "organisation__community")
        .order_by("-published_at", "-created_at")
    )


def items_for(*, community=None, organisation=None):
    qs = published_items()
    if organisation is not None:
        qs = qs.filter(organisation=organisation)
    if community is not None:
        qs = qs.filter(
            Q(organisation__community=community) | Q(assets__community=community)
        ).distinct()
    return qs


def feed_language(value: str | None) -> str:
    """``?lang=`` of a feed or widget: one of the site languages, else English."""
    code = (value or "").split("-")[0].lower()
    return code if code in settings.LANGUAGE_CODES else "en"
