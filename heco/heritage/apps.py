from django.apps import AppConfig


class HeritageConfig(AppConfig):
    name = "heco.heritage"
    label = "heritage"
