from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "heco.core"
    label = "core"
    verbose_name = "Core"
