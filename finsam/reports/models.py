"""The registry's change log that tells the report extract when it is out of date.

Database triggers (migration ``0001``) write to :class:`RegistryChange` whenever an episode or a
participant is inserted, updated or deleted – whatever writes it (services, imports, the admin,
SQL by hand). ``finsam.reports.extract`` compares a fingerprint of this table with the one its
columnar copy of the episodes was built at.

- PostgreSQL: one row per writing transaction (a statement-level trigger inserts the transaction
  id, or counts up that transaction's own row on its next statements), so concurrent writers
  never wait for each other.
- SQLite (one writer at a time): one row (id 1) whose counter a row-level trigger increments.

Each change also stores a random ``token``, so a change rolled back and a later, different change
never give the same fingerprint, and neither do two databases.
"""

from django.db import models
from django.utils.translation import gettext_lazy


class RegistryChange(models.Model):
    xact = models.BigIntegerField(null=True, unique=True)
    """PostgreSQL: the writing transaction's id; SQLite: NULL."""
    n = models.BigIntegerField(default=1)
    """SQLite: changed rows so far; PostgreSQL: statements of the transaction that wrote."""
    token = models.BigIntegerField(default=0)
    """A random number written with each change."""

    class Meta:
        verbose_name = gettext_lazy("registerändring")
        verbose_name_plural = gettext_lazy("registerändringar")

    def __str__(self) -> str:
        return f"{self.pk}: {self.n}"
