"""The association's year (issue 17): the annual report's free texts, the activity plan and
three-year financial plan, and the budget calendar's recorded steps.

The figures of the annual report are not stored: they are read from the registry, the reports and
the budget each time the document is built (``planning.annual``). The adoption dates of the budget
and the annual report stay on ``finance.AssociationYear`` (one place for them).
"""

from django.db import models
from django.utils.translation import gettext_lazy

from finsam.domain.finance import calendar as cal
from finsam.domain.finance.plan import LINE_KINDS

STEP_CHOICES = [(s.key, s.label) for s in cal.STEPS if s.key not in cal.RECORDED_ON_YEAR]


class AnnualReportDraft(models.Model):
    """The director's texts of one association-year's annual report, by section key
    (``domain.annual_report.EDITABLE_SECTIONS``)."""

    association = models.ForeignKey(
        "registry.Association",
        on_delete=models.CASCADE,
        related_name="annual_report_drafts",
        verbose_name=gettext_lazy("förbund"),
    )
    year = models.PositiveSmallIntegerField(gettext_lazy("år"))
    texts = models.JSONField(gettext_lazy("texter"), default=dict, blank=True)
    board_meetings = models.PositiveSmallIntegerField(
        gettext_lazy("antal styrelsesammanträden"), null=True, blank=True
    )
    updated_at = models.DateTimeField(gettext_lazy("senast ändrad"), auto_now=True)
    updated_by = models.CharField(gettext_lazy("ändrad av"), max_length=150, blank=True)

    class Meta:
        ordering = ["association", "-year"]
        verbose_name = gettext_lazy("årsredovisningsutkast")
        verbose_name_plural = gettext_lazy("årsredovisningsutkast")
        constraints = [
            models.UniqueConstraint(
                fields=["association", "year"], name="annual_report_draft_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.association} {self.year}"


class ActivityPlan(models.Model):
    """The activity plan and three-year financial plan whose first year is ``plan_year``."""

    association = models.ForeignKey(
        "registry.Association",
        on_delete=models.CASCADE,
        related_name="activity_plans",
        verbose_name=gettext_lazy("förbund"),
    )
    plan_year = models.PositiveSmallIntegerField(gettext_lazy("planår"))
    equity_start = models.DecimalField(
        gettext_lazy("eget kapital vid planårets början"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=gettext_lazy("Tomt = budgetårets eget kapital vid årets början, annars 0."),
    )
    description = models.TextField(gettext_lazy("verksamhetsplanens inriktning"), blank=True)
    budget_adopted_from = models.DateField(
        gettext_lazy("budget antagen från planen"), null=True, blank=True
    )

    class Meta:
        ordering = ["association", "-plan_year"]
        verbose_name = gettext_lazy("verksamhetsplan")
        verbose_name_plural = gettext_lazy("verksamhetsplaner")
        constraints = [
            models.UniqueConstraint(
                fields=["association", "plan_year"], name="activity_plan_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.association} {self.plan_year}–{self.plan_year + 2}"


class ActivityPlanYear(models.Model):
    plan = models.ForeignKey(ActivityPlan, on_delete=models.CASCADE, related_name="years")
    year = models.PositiveSmallIntegerField(gettext_lazy("år"))
    contribution_total = models.DecimalField(
        gettext_lazy("medlemmarnas bidrag för helår"), max_digits=14, decimal_places=2, default=0
    )
    state_offer = models.DecimalField(
        gettext_lazy("statens erbjudande"), max_digits=14, decimal_places=2, null=True, blank=True
    )

    class Meta:
        ordering = ["plan", "year"]
        verbose_name = gettext_lazy("planår")
        verbose_name_plural = gettext_lazy("planår")
        constraints = [
            models.UniqueConstraint(fields=["plan", "year"], name="activity_plan_year_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.plan} {self.year}"


class ActivityPlanLine(models.Model):
    """One planned cost of one year: an administrative cost type or an intervention (with its
    goal and planned participants)."""

    plan = models.ForeignKey(ActivityPlan, on_delete=models.CASCADE, related_name="lines")
    year = models.PositiveSmallIntegerField(gettext_lazy("år"))
    kind = models.CharField(
        gettext_lazy("rad"), max_length=20, choices=[(k, k) for k in LINE_KINDS]
    )
    cost_type = models.CharField(gettext_lazy("kostnadstyp"), max_length=20, blank=True)
    intervention = models.ForeignKey(
        "registry.Intervention",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="plan_lines",
        verbose_name=gettext_lazy("insats"),
    )
    amount = models.DecimalField(gettext_lazy("belopp"), max_digits=14, decimal_places=2, default=0)
    goal = models.TextField(gettext_lazy("mål"), blank=True)
    planned_participants = models.PositiveIntegerField(
        gettext_lazy("planerat antal deltagare"), null=True, blank=True
    )

    class Meta:
        ordering = ["plan", "year", "kind", "cost_type", "intervention__code"]
        verbose_name = gettext_lazy("planrad")
        verbose_name_plural = gettext_lazy("planrader")

    def __str__(self) -> str:
        return f"{self.plan} {self.year} {self.cost_type or self.intervention_id}"


class CalendarStep(models.Model):
    """A recorded step of the budget calendar of one association and budget year."""

    association = models.ForeignKey(
        "registry.Association",
        on_delete=models.CASCADE,
        related_name="calendar_steps",
        verbose_name=gettext_lazy("förbund"),
    )
    year = models.PositiveSmallIntegerField(gettext_lazy("budgetår"))
    step = models.CharField(gettext_lazy("steg"), max_length=30, choices=STEP_CHOICES)
    planned_date = models.DateField(gettext_lazy("planerat datum"), null=True, blank=True)
    done_date = models.DateField(gettext_lazy("klart"), null=True, blank=True)
    note = models.CharField(gettext_lazy("anteckning"), max_length=300, blank=True)

    class Meta:
        ordering = ["association", "year", "step"]
        verbose_name = gettext_lazy("steg i budgetkalendern")
        verbose_name_plural = gettext_lazy("budgetkalender")
        constraints = [
            models.UniqueConstraint(
                fields=["association", "year", "step"], name="calendar_step_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.association} {self.year} {self.step}"
