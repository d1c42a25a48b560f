from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "finsam.audit"
    verbose_name = "Granskningslogg"

    def ready(self):
        from finsam.audit import signals, tracking

        tracking.connect()
        signals.connect()
