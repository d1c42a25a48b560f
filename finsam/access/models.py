"""Who holds which role where, and who is assigned to which intervention."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy

from finsam.audit.tracking import AuditedManager
from finsam.domain.access import ROLE_LABELS, Role


class RoleAssignment(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="role_assignments",
        verbose_name=gettext_lazy("användare"),
    )
    role = models.CharField(
        gettext_lazy("roll"), max_length=30, choices=[(r.value, ROLE_LABELS[r]) for r in Role]
    )
    association = models.ForeignKey(
        "registry.Association",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="role_assignments",
        verbose_name=gettext_lazy("förbund"),
    )

    objects = AuditedManager()  # update()/bulk_create() audited too

    class Meta:
        ordering = ["user", "role"]
        verbose_name = gettext_lazy("roll")
        verbose_name_plural = gettext_lazy("roller")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "association"], name="role_assignment_unique"
            ),
        ]

    def __str__(self) -> str:
        where = f" – {self.association}" if self.association_id else ""
        return f"{self.user}: {self.get_role_display()}{where}"


class InterventionAssignment(models.Model):
    class Kind(models.TextChoices):
        MANAGER = "manager", gettext_lazy("Insatsansvarig")
        HANDLER = "handler", gettext_lazy("Deltagaransvarig")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="intervention_assignments",
        verbose_name=gettext_lazy("användare"),
    )
    intervention = models.ForeignKey(
        "registry.Intervention",
        on_delete=models.CASCADE,
        related_name="assignments",
        verbose_name=gettext_lazy("insats"),
    )
    kind = models.CharField(gettext_lazy("uppdrag"), max_length=10, choices=Kind.choices)

    objects = AuditedManager()  # update()/bulk_create() audited too

    class Meta:
        ordering = ["intervention", "kind", "user"]
        verbose_name = gettext_lazy("tilldelning till insats")
        verbose_name_plural = gettext_lazy("tilldelningar till insatser")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "intervention", "kind"], name="intervention_assignment_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.intervention} ({self.get_kind_display()})"
