from django.apps import AppConfig


class StrategyConfig(AppConfig):
    name = "defus.strategy"
    label = "strategy"
