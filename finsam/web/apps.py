from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "finsam.web"
    verbose_name = "Webbgränssnitt"

    def ready(self) -> None:
        from finsam.web import admin_limits

        admin_limits.install()
