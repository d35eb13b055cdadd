from django.apps import AppConfig


class SiteConfig(AppConfig):
    name = "heco.site"
    label = "site"
