from django.apps import AppConfig


class AggregationConfig(AppConfig):
    name = "heco.aggregation"
    label = "aggregation"
