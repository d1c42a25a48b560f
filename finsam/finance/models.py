"""Budgets and accounts per association and calendar year (``spec/finance.md`` §2).

One row per ``budget_lines.csv`` line; the calculations (result, equity, key ratios, forecast)
are ``finsam.domain.finance.budget`` over these rows.
"""

from django.db import models
from django.utils.translation import gettext_lazy


class AssociationYear(models.Model):
    """Facts about one association's budget year that are not lines: adoption dates, equity."""

    association = models.ForeignKey(
        "registry.Association",
        on_delete=models.CASCADE,
        related_name="budget_years",
        verbose_name=gettext_lazy("förbund"),
    )
    year = models.PositiveSmallIntegerField(gettext_lazy("år"))
    budget_adopted = models.DateField(gettext_lazy("budget fastställd"), null=True, blank=True)
    annual_report_adopted = models.DateField(
        gettext_lazy("årsredovisning fastställd"), null=True, blank=True
    )
    equity_start = models.DecimalField(
        gettext_lazy("eget kapital vid årets början"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
    )
    population_16_64 = models.PositiveIntegerField(
        gettext_lazy("invånare 16–64 år"), null=True, blank=True
    )
    contribution_total = models.DecimalField(
        gettext_lazy("medlemmarnas bidrag för helår"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=gettext_lazy(
            "Förbundets årsbudget från medlemmarna för ett helt år (fördelas 50/25/25)."
        ),
    )
    state_offer = models.DecimalField(
        gettext_lazy("erbjuden statlig tilldelning"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=gettext_lazy(
            "Statens erbjudande för året; taket är två gånger den minsta av regionernas "
            "och kommunernas del."
        ),
    )
    notes = models.TextField(gettext_lazy("anteckningar"), blank=True)

    class Meta:
        ordering = ["association", "-year"]
        verbose_name = gettext_lazy("budgetår")
        verbose_name_plural = gettext_lazy("budgetår")
        constraints = [
            models.UniqueConstraint(fields=["association", "year"], name="association_year_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.association} {self.year}"


class BudgetLine(models.Model):
    class Line(models.TextChoices):
        RESOURCE = "resource", gettext_lazy("Intäkt/resurs")
        ADMIN_COST = "admin_cost", gettext_lazy("Administrativ kostnad")
        INTERVENTION_COST = "intervention_cost", gettext_lazy("Insatskostnad")

    association = models.ForeignKey(
        "registry.Association",
        on_delete=models.CASCADE,
        related_name="budget_lines",
        verbose_name=gettext_lazy("förbund"),
    )
    year = models.PositiveSmallIntegerField(gettext_lazy("år"))
    line = models.CharField(gettext_lazy("rad"), max_length=20, choices=Line.choices)
    category = models.CharField(
        gettext_lazy("kategori"),
        max_length=20,
        blank=True,
        help_text=gettext_lazy(
            "Finansiär (intäkt), kostnadstyp (administration), tom eller ESF (insats)."
        ),
    )
    intervention = models.ForeignKey(
        "registry.Intervention",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="budget_lines",
        verbose_name=gettext_lazy("insats"),
    )
    budget = models.DecimalField(gettext_lazy("budget"), max_digits=14, decimal_places=2, default=0)
    actual = models.DecimalField(
        gettext_lazy("utfall"), max_digits=14, decimal_places=2, null=True, blank=True
    )

    class Meta:
        ordering = ["association", "year", "line", "category"]
        verbose_name = gettext_lazy("budgetrad")
        verbose_name_plural = gettext_lazy("budgetrader")
        constraints = [
            models.UniqueConstraint(
                fields=["association", "year", "line", "category", "intervention"],
                name="budget_line_unique",
            ),
        ]
        indexes = [models.Index(fields=["association", "year"], name="budget_line_assoc_year")]

    def __str__(self) -> str:
        return f"{self.association} {self.year} {self.get_line_display()} {self.category}"
