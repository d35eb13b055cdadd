from django.apps import AppConfig


class NetworkConfig(AppConfig):
    name = "heco.network"
    label = "network"
