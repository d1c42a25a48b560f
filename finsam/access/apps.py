from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "finsam.access"
    verbose_name = "Roller och behörigheter"
