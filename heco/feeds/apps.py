from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedsConfig(AppConfig):
    name = "heco.feeds"
    verbose_name = _("News, feeds and embeds")
