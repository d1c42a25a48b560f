from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "finsam.indicators"
    verbose_name = "Kärnindikatorer"
