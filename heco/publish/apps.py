from django.apps import AppConfig


class PublishConfig(AppConfig):
    name = "heco.publish"
    label = "publish"
    verbose_name = "Static site export"
