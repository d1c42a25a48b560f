from django.apps import AppConfig


class DeviationsConfig(AppConfig):
    name = "finsam.deviations"
    verbose_name = "Avvikelser (Lex Heller)"
