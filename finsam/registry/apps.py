from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "finsam.registry"
    verbose_name = "Register"
