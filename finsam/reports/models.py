"""The registry's change log that tells the report extract which episodes changed.

Database triggers (migration ``0002``) write to :class:`RegistryChange` whenever an episode or a
participant is inserted, updated or deleted – whatever writes it (services, imports, the admin,
SQL by hand): one row per changed row, naming the episode (``episode_id``) or the participant
(``participant_id``: every episode of that participant may have changed – anonymity, birth
year). A row naming neither means "anything may have changed" (a ``TRUNCATE``; on PostgreSQL a
single statement writing more than 50 000 rows, so a bulk load logs one row, not a million).

- PostgreSQL: statement-level triggers with transition tables (one set-based insert per writing
  statement), so concurrent writers never wait for each other.
- SQLite (one writer at a time): row-level triggers.

``finsam.reports.extract`` patches its columnar copy with the logged episodes and then deletes
exactly the log rows it applied, in the same transaction that advances
:class:`ExtractState`'s generation – so the log holds only what is not yet applied (it stays
bounded) and a write committed late (a smaller id after a larger one) is never lost. Each row
also stores a random ``token``, so a change rolled back and a later, different change never
give the same fingerprint.
"""

from django.db import models
from django.utils.translation import gettext_lazy


class RegistryChange(models.Model):
    episode_id = models.IntegerField(null=True)
    """The changed episode (``None``: see ``participant_id``)."""
    participant_id = models.IntegerField(null=True)
    """The changed participant; neither set: anything may have changed (rebuild)."""
    token = models.BigIntegerField(default=0)
    """A random number written with each change."""

    class Meta:
        verbose_name = gettext_lazy("registerändring")
        verbose_name_plural = gettext_lazy("registerändringar")

    def __str__(self) -> str:
        return f"{self.pk}: {self.episode_id or ''}/{self.participant_id or ''}"


class ExtractState(models.Model):
    """One row (id 1): the generation of the report extract that the change log is relative to.
    Advanced by every patch or build of the extract, in the transaction that prunes the log."""

    id = models.PositiveSmallIntegerField(primary_key=True)
    generation = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "kolumnkopians läge"
        verbose_name_plural = "kolumnkopians lägen"

    def __str__(self) -> str:
        return str(self.generation)
