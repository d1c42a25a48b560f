from django.apps import AppConfig


class InterchangeConfig(AppConfig):
    name = "finsam.interchange"
    verbose_name = "Import och export"
