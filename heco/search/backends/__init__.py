"""Search backends. ``get_backend()`` returns the one configured by HECO_SEARCH_BACKEND.

Both implement ``search(query)``, ``index_assets(ids)`` and ``rebuild(progress)``; the
algorithm lives in ``base.SqlBackend`` and only the full-text parts differ.
"""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

BACKENDS = {
    "sqlite": "heco.search.backends.sqlite.SqliteBackend",
    "postgres": "heco.search.backends.postgres.PostgresBackend",
}


@cache
def _load(name: str):
    from django.utils.module_loading import import_string

    try:
        return import_string(BACKENDS[name])()
    except KeyError:
        raise ImproperlyConfigured(
            f"HECO_SEARCH_BACKEND must be one of {', '.join(BACKENDS)}, not {name!r}."
        )


def get_backend():
    from django.db import connection

    name = getattr(settings, "HECO_SEARCH_BACKEND", "") or (
        "postgres" if connection.vendor == "postgresql" else "sqlite"
    )
    return _load(name)
