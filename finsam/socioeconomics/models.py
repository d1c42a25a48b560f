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
from django.utils.translation import gettext_lazy


class ParameterSet(models.Model):
    valid_year = models.PositiveSmallIntegerField(gettext_lazy("gäller år"))
    version = models.PositiveSmallIntegerField(gettext_lazy("version"))
    source_notes = models.TextField(gettext_lazy("källor och kommentarer"), blank=True)
    is_default = models.BooleanField(
        gettext_lazy("levererad standardtabell"),
        default=False,
        help_text=gettext_lazy(
            "Tabellen som följer med Finsam (alla värden är antaganden att granska)."
        ),
    )
    uploaded_at = models.DateTimeField(gettext_lazy("uppladdad"), auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=gettext_lazy("uppladdad av"),
    )

    class Meta:
        ordering = ["-valid_year", "-version"]
        verbose_name = gettext_lazy("parametertabell")
        verbose_name_plural = gettext_lazy("parametertabeller")
        constraints = [
            models.UniqueConstraint(
                fields=["valid_year", "version"], name="parameter_set_year_version"
            ),
        ]

    def __str__(self) -> str:
        return f"Parametertabell {self.valid_year} version {self.version}"


class ParameterRow(models.Model):
    parameter_set = models.ForeignKey(
        ParameterSet,
        on_delete=models.CASCADE,
        related_name="rows",
        verbose_name=gettext_lazy("tabell"),
    )
    position = models.PositiveSmallIntegerField(gettext_lazy("rad"), default=0)
    item = models.CharField(gettext_lazy("post"), max_length=30)
    actor = models.CharField(gettext_lazy("aktör"), max_length=20)
    monthly_sek = models.DecimalField(
        gettext_lazy("kronor per månad"), max_digits=12, decimal_places=2
    )
    source = models.CharField(gettext_lazy("källa"), max_length=500, blank=True)
    year = models.PositiveSmallIntegerField(gettext_lazy("källans år"), null=True, blank=True)
    assumption = models.BooleanField(gettext_lazy("antagande"), default=False)
    note = models.CharField(gettext_lazy("anmärkning"), max_length=500, blank=True)

    class Meta:
        ordering = ["parameter_set", "position"]
        verbose_name = gettext_lazy("parameterrad")
        verbose_name_plural = gettext_lazy("parameterrader")
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
