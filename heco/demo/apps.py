from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "heco.demo"
    label = "demo"
