from django.apps import AppConfig


class PlanningConfig(AppConfig):
    name = "finsam.planning"
    verbose_name = "Verksamhetsår: årsredovisning, plan och budgetkalender"
