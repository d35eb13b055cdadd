from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "heco.search"
    label = "search"
