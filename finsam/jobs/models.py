"""A background job as the user sees it: what, whose, how far, and the result."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class Job(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "I kö"
        RUNNING = "running", "Pågår"
        DONE = "done", "Klar"
        FAILED = "failed", "Misslyckades"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField("typ", max_length=40)
    title = models.CharField("rubrik", max_length=200)
    handler = models.CharField(
        "utförs av", max_length=200, help_text="Dotted path of the function that does the work."
    )
    params = models.JSONField("parametrar", default=dict, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="beställd av",
    )
    status = models.CharField(
        "status", max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    progress = models.PositiveSmallIntegerField("förlopp (procent)", default=0)
    progress_message = models.CharField("förlopp", max_length=300, blank=True)
    result = models.JSONField("resultat", default=dict, blank=True)
    error = models.TextField("fel", blank=True)
    task_id = models.CharField("köns id", max_length=64, blank=True)
    created_at = models.DateTimeField("beställd", auto_now_add=True)
    started_at = models.DateTimeField("startad", null=True, blank=True)
    finished_at = models.DateTimeField("klar", null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "bakgrundsjobb"
        verbose_name_plural = "bakgrundsjobb"
        constraints = [
            models.CheckConstraint(condition=models.Q(progress__lte=100), name="job_progress_max")
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_status_display()})"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
