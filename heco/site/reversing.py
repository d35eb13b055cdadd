"""``reverse()`` with a memo, for the URLs every page repeats.

A public page reverses about sixty URLs (navigation, breadcrumbs, cards, "nearby" links, the
language switcher, JSON-LD), most of them the same on every page, and Django's ``reverse()``
costs ~25 µs each: a tenth of rendering an asset page. The memo's key holds everything the
result depends on: the view name and arguments, the current app (namespaces), the active
language (``i18n_patterns`` prefixes, translated paths), the URL resolver (a new one after
``ROOT_URLCONF`` changes) and the script prefix. Only plain arguments (str, int, UUID) are
memoised; anything else is reversed every time.
"""

from __future__ import annotations

import uuid

from django.urls import get_resolver, get_script_prefix, get_urlconf, reverse
from django.utils.safestring import SafeString
from django.utils.translation import get_language

MEMO_SIZE = 100_000  # entries (an asset page's URLs in six languages: 60,000 for 10,000 assets)
_PLAIN = frozenset({str, SafeString, int, uuid.UUID})
_memo: dict[tuple, str] = {}


def cached_reverse(viewname, args=None, kwargs=None, current_app=None) -> str:
    """``django.urls.reverse(viewname, args=args, kwargs=kwargs, current_app=current_app)``."""
    args = tuple(args or ())
    kwargs = kwargs or {}
    if not isinstance(viewname, str) or not all(
        type(value) in _PLAIN for value in (*args, *kwargs.values())
    ):
        return reverse(viewname, args=args, kwargs=kwargs, current_app=current_app)
    key = (
        viewname,
        args,
        tuple(kwargs.items()),
        current_app,
        get_language(),
        get_resolver(get_urlconf()),
        get_script_prefix(),
    )
    url = _memo.get(key)
    if url is None:
        url = reverse(viewname, args=args, kwargs=kwargs, current_app=current_app)
        if len(_memo) >= MEMO_SIZE:
            _memo.clear()
        _memo[key] = url
    return url
