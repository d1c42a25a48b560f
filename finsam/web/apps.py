from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "finsam.web"
    verbose_name = "Webbgränssnitt"
