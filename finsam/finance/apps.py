from django.apps import AppConfig


class FinanceConfig(AppConfig):
    name = "finsam.finance"
    verbose_name = "Ekonomi"
