from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "finsam.registry"
    verbose_name = "Register"

    def ready(self) -> None:
        from finsam.registry import lookups  # noqa: F401  (registers ``__any``)
