"""The socio-economic parameter table as dated, versioned data (``socioeconomics.md`` §1).

A :class:`ParameterSet` is one version of the table valid for one year; its rows are the
``item, actor, monthly_sek, source, year, assumption, note`` lines of the file layout in
``finsam.domain.socioeconomics.parameters``. Sets are never edited in place: an upload creates a
new version (``services.parameter_set_upload``), so an earlier result can always be traced to the
figures it used. The shipped defaults are loaded by migration ``0002``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ParameterSet(models.Model):
    valid_year = models.PositiveSmallIntegerField("gäller år")
    version = models.PositiveSmallIntegerField("version")
    source_notes = models.TextField("källor och kommentarer", blank=True)
    is_default = models.BooleanField(
        "levererad standardtabell",
        default=False,
        help_text="Tabellen som följer med Finsam (alla värden är antaganden att granska).",
    )
    uploaded_at = models.DateTimeField("uppladdad", auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="uppladdad av",
    )

    class Meta:
        ordering = ["-valid_year", "-version"]
        verbose_name = "parametertabell"
        verbose_name_plural = "parametertabeller"
        constraints = [
            models.UniqueConstraint(
                fields=["valid_year", "version"], name="parameter_set_year_version"
            ),
        ]

    def __str__(self) -> str:
        return f"Parametertabell {self.valid_year} version {self.version}"


class ParameterRow(models.Model):
    parameter_set = models.ForeignKey(
        ParameterSet, on_delete=models.CASCADE, related_name="rows", verbose_name="tabell"
    )
    position = models.PositiveSmallIntegerField("rad", default=0)
    item = models.CharField("post", max_length=30)
    actor = models.CharField("aktör", max_length=20)
    monthly_sek = models.DecimalField("kronor per månad", max_digits=12, decimal_places=2)
    source = models.CharField("källa", max_length=500, blank=True)
    year = models.PositiveSmallIntegerField("källans år", null=True, blank=True)
    assumption = models.BooleanField("antagande", default=False)
    note = models.CharField("anmärkning", max_length=500, blank=True)

    class Meta:
        ordering = ["parameter_set", "position"]
        verbose_name = "parameterrad"
        verbose_name_plural = "parameterrader"
        constraints = [
            models.UniqueConstraint(
                fields=["parameter_set", "item", "actor"], name="parameter_row_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(monthly_sek__gte=0), name="parameter_row_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item}/{self.actor}: {self.monthly_sek} kr"
