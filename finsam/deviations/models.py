"""Deviation reports ("Lex Heller", ``spec/indicators.md`` §2) and their action log.

A report says where the member agencies' cooperation failed a person, without identifying the
person. Rules and the workflow live in ``finsam.domain.deviations``; every write goes through
``deviations.services`` (audited). Who filed a report is deliberately not a column: the audit
log records it, and the report page does not show it (``docs/deviations.md``).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy

from finsam.domain.deviations import STATUS_LABELS, Status

STATUS_CHOICES = [(s.value, STATUS_LABELS[s]) for s in Status]


class DeviationReport(models.Model):
    association = models.ForeignKey(
        "registry.Association",
        on_delete=models.PROTECT,
        related_name="deviations",
        verbose_name=gettext_lazy("förbund"),
    )
    report_date = models.DateField(gettext_lazy("datum"))
    organisations = models.ManyToManyField(
        "registry.Member",
        related_name="deviations",
        verbose_name=gettext_lazy("inblandade organisationer"),
    )
    category = models.CharField(
        gettext_lazy("kategori"),
        max_length=20,
        help_text=gettext_lazy("Kod i kodlistan deviation_category."),
    )
    description = models.TextField(gettext_lazy("beskrivning"))
    consequence = models.TextField(gettext_lazy("konsekvens för personen"), blank=True)
    improvement = models.TextField(gettext_lazy("förslag till förbättring"), blank=True)
    status = models.CharField(
        gettext_lazy("status"), max_length=12, choices=STATUS_CHOICES, default=Status.NEW.value
    )
    owner = models.ForeignKey(
        "registry.Member",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_deviations",
        verbose_name=gettext_lazy("ansvarig organisation"),
    )
    classified_date = models.DateField(gettext_lazy("klassificerad"), null=True, blank=True)
    closed_date = models.DateField(gettext_lazy("avslutad"), null=True, blank=True)
    closing_note = models.TextField(gettext_lazy("avslutskommentar"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-report_date", "-pk"]
        verbose_name = gettext_lazy("avvikelse")
        verbose_name_plural = gettext_lazy("avvikelser")
        indexes = [models.Index(fields=["association", "status"], name="deviation_assoc_status")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status=Status.CLOSED.value, closed_date__isnull=False)
                | (~Q(status=Status.CLOSED.value) & Q(closed_date__isnull=True)),
                name="deviation_closed_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"Avvikelse {self.pk} ({self.report_date:%Y-%m-%d})"

    @property
    def state(self) -> Status:
        return Status(self.status)


class DeviationAction(models.Model):
    """One dated entry in a report's action log."""

    report = models.ForeignKey(
        DeviationReport,
        on_delete=models.CASCADE,
        related_name="actions",
        verbose_name=gettext_lazy("avvikelse"),
    )
    action_date = models.DateField(gettext_lazy("datum"))
    text = models.TextField(gettext_lazy("åtgärd"))
    organisation = models.ForeignKey(
        "registry.Member",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("organisation"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["action_date", "pk"]
        verbose_name = gettext_lazy("åtgärd")
        verbose_name_plural = gettext_lazy("åtgärder")

    def __str__(self) -> str:
        return f"{self.action_date:%Y-%m-%d}: {self.text[:40]}"
