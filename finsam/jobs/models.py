"""A background job as the user sees it: what, whose, how far, and the result."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy


class Job(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", gettext_lazy("I kö")
        RUNNING = "running", gettext_lazy("Pågår")
        DONE = "done", gettext_lazy("Klar")
        FAILED = "failed", gettext_lazy("Misslyckades")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(gettext_lazy("typ"), max_length=40)
    title = models.CharField(gettext_lazy("rubrik"), max_length=200)
    handler = models.CharField(
        gettext_lazy("utförs av"),
        max_length=200,
        help_text=gettext_lazy("Dotted path of the function that does the work."),
    )
    params = models.JSONField(gettext_lazy("parametrar"), default=dict, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=gettext_lazy("beställd av"),
    )
    status = models.CharField(
        gettext_lazy("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    progress = models.PositiveSmallIntegerField(gettext_lazy("förlopp (procent)"), default=0)
    progress_message = models.CharField(gettext_lazy("förlopp"), max_length=300, blank=True)
    result = models.JSONField(gettext_lazy("resultat"), default=dict, blank=True)
    error = models.TextField(gettext_lazy("fel"), blank=True)
    task_id = models.CharField(gettext_lazy("köns id"), max_length=64, blank=True)
    created_at = models.DateTimeField(gettext_lazy("beställd"), auto_now_add=True)
    started_at = models.DateTimeField(gettext_lazy("startad"), null=True, blank=True)
    finished_at = models.DateTimeField(gettext_lazy("klar"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = gettext_lazy("bakgrundsjobb")
        verbose_name_plural = gettext_lazy("bakgrundsjobb")
        constraints = [
            models.CheckConstraint(condition=models.Q(progress__lte=100), name="job_progress_max")
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_status_display()})"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
