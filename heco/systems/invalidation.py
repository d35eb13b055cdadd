"""Retire the cached public pages (``heco.core.cache``) when a route or a pass changes.

The pages of this app also show catalogue records (assets, services, organisations, events),
whose writes ``heco.site.invalidation`` already covers.
"""

from __future__ import annotations

from django.db.models.signals import m2m_changed, post_delete, post_save

from heco.core.cache import bump_catalogue_version


def _changed(sender, using=None, **kwargs) -> None:
    bump_catalogue_version(using)


def connect() -> None:
    from heco.systems.models import HeritagePass, PassBenefit, Route, RouteStop

    for model in (Route, RouteStop, HeritagePass, PassBenefit):
        name = model.__name__
        post_save.connect(_changed, sender=model, dispatch_uid=f"heco-systems-save-{name}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"heco-systems-delete-{name}")
    m2m_changed.connect(
        _changed, sender=Route.partners.through, dispatch_uid="heco-systems-route-partners"
    )
