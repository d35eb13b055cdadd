from django.apps import AppConfig


class SiteConfig(AppConfig):
    name = "heco.site"
    label = "site"

    def ready(self):
        from heco.site import invalidation

        invalidation.connect()
