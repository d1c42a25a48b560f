from django.apps import AppConfig


class GeoConfig(AppConfig):
    name = "finsam.geo"
    verbose_name = "Kommuner och län"
