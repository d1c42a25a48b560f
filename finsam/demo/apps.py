from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "finsam.demo"
    label = "demo"
    verbose_name = "Demodata"
