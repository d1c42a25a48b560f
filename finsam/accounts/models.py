from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy

from finsam.audit.tracking import AuditedQuerySet


class AuditedUserManager(UserManager.from_queryset(AuditedQuerySet)):  # type: ignore[misc]
    """Django's user manager whose ``update()`` and ``bulk_create()`` write the same audit rows
    as ``save()`` (model signals do not see them)."""


class User(AbstractUser):
    """A Finsam user. What the user may do comes from ``access.RoleAssignment``.

    An administrator creates the account beforehand (there is no self-registration). For sign-in
    with Swedish e-ID the account carries the key it is matched on: the HMAC pseudonym of the
    person's identity number (``finsam.domain.identity.pseudonym`` – the number itself is never
    stored) or, for SITHS, the HSA-id.
    """

    eid_pseudonym = models.CharField(
        gettext_lazy("e-legitimation (pseudonym)"),
        max_length=64,
        unique=True,
        null=True,
        blank=True,
        help_text=gettext_lazy("HMAC-pseudonym av personnumret som e-legitimationen intygar."),
    )
    hsa_id = models.CharField(
        gettext_lazy("HSA-id"),
        max_length=64,
        unique=True,
        null=True,
        blank=True,
        help_text=gettext_lazy("HSA-id för inloggning med SITHS eID."),
    )

    objects = AuditedUserManager()

    class Meta:
        verbose_name = gettext_lazy("användare")
        verbose_name_plural = gettext_lazy("användare")

    def __str__(self) -> str:
        full = self.get_full_name()
        return f"{full} ({self.username})" if full else self.username
