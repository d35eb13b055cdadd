from django.apps import AppConfig


class ProgrammeConfig(AppConfig):
    name = "heco.programme"
    label = "programme"
