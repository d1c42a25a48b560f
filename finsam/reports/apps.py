from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "finsam.reports"
    verbose_name = "Rapporter"
