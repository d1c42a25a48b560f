from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "finsam.api"
    label = "finsam_api"
    verbose_name = "API"
