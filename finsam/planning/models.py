"""The association's year (issue 17): the annual report's free texts, the activity plan and
three-year financial plan, and the budget calendar's recorded steps.

The figures of the annual report are not stored: they are read from the registry, the reports and
the budget each time the document is built (``planning.annual``). The adoption dates of the budget
and the annual report stay on ``finance.AssociationYear`` (one place for them).
"""

from django.db import models

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
        verbose_name="förbund",
    )
    year = models.PositiveSmallIntegerField("år")
    texts = models.JSONField("texter", default=dict, blank=True)
    board_meetings = models.PositiveSmallIntegerField(
        "antal styrelsesammanträden", null=True, blank=True
    )
    updated_at = models.DateTimeField("senast ändrad", auto_now=True)
    updated_by = models.CharField("ändrad av", max_length=150, blank=True)

    class Meta:
        ordering = ["association", "-year"]
        verbose_name = "årsredovisningsutkast"
        verbose_name_plural = "årsredovisningsutkast"
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
        verbose_name="förbund",
    )
    plan_year = models.PositiveSmallIntegerField("planår")
    equity_start = models.DecimalField(
        "eget kapital vid planårets början",
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Tomt = budgetårets eget kapital vid årets början, annars 0.",
    )
    description = models.TextField("verksamhetsplanens inriktning", blank=True)
    budget_adopted_from = models.DateField("budget antagen från planen", null=True, blank=True)

    class Meta:
        ordering = ["association", "-plan_year"]
        verbose_name = "verksamhetsplan"
        verbose_name_plural = "verksamhetsplaner"
        constraints = [
            models.UniqueConstraint(
                fields=["association", "plan_year"], name="activity_plan_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.association} {self.plan_year}–{self.plan_year + 2}"


class ActivityPlanYear(models.Model):
    plan = models.ForeignKey(ActivityPlan, on_delete=models.CASCADE, related_name="years")
    year = models.PositiveSmallIntegerField("år")
    contribution_total = models.DecimalField(
        "medlemmarnas bidrag för helår", max_digits=14, decimal_places=2, default=0
    )
    state_offer = models.DecimalField(
        "statens erbjudande", max_digits=14, decimal_places=2, null=True, blank=True
    )

    class Meta:
        ordering = ["plan", "year"]
        verbose_name = "planår"
        verbose_name_plural = "planår"
        constraints = [
            models.UniqueConstraint(fields=["plan", "year"], name="activity_plan_year_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.plan} {self.year}"


class ActivityPlanLine(models.Model):
    """One planned cost of one year: an administrative cost type or an intervention (with its
    goal and planned participants)."""

    plan = models.ForeignKey(ActivityPlan, on_delete=models.CASCADE, related_name="lines")
    year = models.PositiveSmallIntegerField("år")
    kind = models.CharField("rad", max_length=20, choices=[(k, k) for k in LINE_KINDS])
    cost_type = models.CharField("kostnadstyp", max_length=20, blank=True)
    intervention = models.ForeignKey(
        "registry.Intervention",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="plan_lines",
        verbose_name="insats",
    )
    amount = models.DecimalField("belopp", max_digits=14, decimal_places=2, default=0)
    goal = models.TextField("mål", blank=True)
    planned_participants = models.PositiveIntegerField(
        "planerat antal deltagare", null=True, blank=True
    )

    class Meta:
        ordering = ["plan", "year", "kind", "cost_type", "intervention__code"]
        verbose_name = "planrad"
        verbose_name_plural = "planrader"

    def __str__(self) -> str:
        return f"{self.plan} {self.year} {self.cost_type or self.intervention_id}"


class CalendarStep(models.Model):
    """A recorded step of the budget calendar of one association and budget year."""

    association = models.ForeignKey(
        "registry.Association",
        on_delete=models.CASCADE,
        related_name="calendar_steps",
        verbose_name="förbund",
    )
    year = models.PositiveSmallIntegerField("budgetår")
    step = models.CharField("steg", max_length=30, choices=STEP_CHOICES)
    planned_date = models.DateField("planerat datum", null=True, blank=True)
    done_date = models.DateField("klart", null=True, blank=True)
    note = models.CharField("anteckning", max_length=300, blank=True)

    class Meta:
        ordering = ["association", "year", "step"]
        verbose_name = "steg i budgetkalendern"
        verbose_name_plural = "budgetkalender"
        constraints = [
            models.UniqueConstraint(
                fields=["association", "year", "step"], name="calendar_step_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.association} {self.year} {self.step}"
