from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "finsam.registry"
    verbose_name = "Register"

    def ready(self) -> None:
        from django.utils.translation import get_language

        from finsam.domain import codelists
        from finsam.registry import lookups  # noqa: F401  (registers ``__any``)

        codelists.use_language(get_language)  # code-list labels in English when it is chosen
