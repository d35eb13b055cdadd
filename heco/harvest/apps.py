from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HarvestConfig(AppConfig):
    name = "heco.harvest"
    label = "harvest"
    verbose_name = _("Harvesting")
