from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "finsam.evaluation.web"
    label = "evaluation"
    verbose_name = "Utvärdering"
