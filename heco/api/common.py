"""Helpers shared by the domain routers: language maps, links, pagination, 4xx answers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.utils import timezone
from ninja.errors import ValidationError

from heco.api.urls_helper import public_url
from heco.core.langmap import pick


def language_maps(lang: str | None, default: str | None = None, **maps: dict | None) -> dict:
    """``{"title": {...}, "title_text": "…", "title_lang": "lt"}`` for each map given.

    ``<name>_text``/``<name>_lang`` are added only when ``lang`` was requested.
    """
    out: dict[str, Any] = {}
    for name, value in maps.items():
        value = value if isinstance(value, dict) else {}
        out[name] = value
        if lang:
            picked = pick(value, lang, default)
            out[f"{name}_text"] = picked.text
            out[f"{name}_lang"] = picked.lang if picked.text else None
    return out


def ref(kind: str, obj, lang: str | None, default: str | None = None) -> dict | None:
    """A link to another record: id, slug, public URL and name."""
    if obj is None:
        return None
    name = getattr(obj, "name", None)
    if name is None:
        name = getattr(obj, "title", None)
    return {
        "id": obj.id,
        "slug": obj.slug,
        "url": public_url(kind, obj.slug, lang),
        **language_maps(lang, default, name=name),
    }


def absolute(url: str) -> str:
    if not url or "://" in url:
        return url
    return f"{settings.SITE_URL}{url if url.startswith('/') else '/' + url}"


def paginate(queryset, limit: int, offset: int) -> tuple[list, int]:
    """One COUNT and, unless the page is past the end, one page query (plus prefetches)."""
    count = queryset.count()
    if offset >= count:
        return [], count
    return list(queryset[offset : offset + limit]), count


def invalid(field: str, msg: str, type_: str = "value_error", source: str = "query"):
    """A 422 naming the field, in the same shape as ninja's own validation errors."""
    return ValidationError([{"loc": [source, field], "msg": msg, "type": type_}])


def parse_moment(raw: str, field: str, *, end_of_day: bool = False) -> dt.datetime:
    """An ISO 8601 date or date-time as an aware datetime (the network's zone when no offset
    is given). A bare date is its midnight, or the next midnight with ``end_of_day``."""
    raw = raw.strip()
    try:
        if "T" not in raw.upper() and " " not in raw and len(raw) <= 10:
            day = dt.date.fromisoformat(raw)
            if end_of_day:
                day += dt.timedelta(days=1)
            moment = dt.datetime.combine(day, dt.time())
        else:
            moment = dt.datetime.fromisoformat(raw)
    except (ValueError, OverflowError):
        raise invalid(field, f"{field} must be an ISO 8601 date or date-time.", "datetime_parsing")
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, timezone.get_default_timezone())
    return moment
