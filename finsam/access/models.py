"""Who holds which role where, and who is assigned to which intervention."""

from django.conf import settings
from django.db import models

from finsam.audit.tracking import AuditedManager
from finsam.domain.access import ROLE_LABELS, Role


class RoleAssignment(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="role_assignments",
        verbose_name="användare",
    )
    role = models.CharField(
        "roll", max_length=30, choices=[(r.value, ROLE_LABELS[r]) for r in Role]
    )
    association = models.ForeignKey(
        "registry.Association",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="role_assignments",
        verbose_name="förbund",
    )

    objects = AuditedManager()  # update()/bulk_create() audited too

    class Meta:
        ordering = ["user", "role"]
        verbose_name = "roll"
        verbose_name_plural = "roller"
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
        MANAGER = "manager", "Insatsansvarig"
        HANDLER = "handler", "Deltagaransvarig"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="intervention_assignments",
        verbose_name="användare",
    )
    intervention = models.ForeignKey(
        "registry.Intervention",
        on_delete=models.CASCADE,
        related_name="assignments",
        verbose_name="insats",
    )
    kind = models.CharField("uppdrag", max_length=10, choices=Kind.choices)

    objects = AuditedManager()  # update()/bulk_create() audited too

    class Meta:
        ordering = ["intervention", "kind", "user"]
        verbose_name = "tilldelning till insats"
        verbose_name_plural = "tilldelningar till insatser"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "intervention", "kind"], name="intervention_assignment_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.intervention} ({self.get_kind_display()})"
