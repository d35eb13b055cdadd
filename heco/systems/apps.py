from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SystemsConfig(AppConfig):
    name = "heco.systems"
    label = "systems"
    verbose_name = _("Routes, passes, calendar and service map")

    def ready(self):
        from heco.systems import invalidation

        invalidation.connect()
