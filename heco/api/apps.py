from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "heco.api"
    label = "api"
