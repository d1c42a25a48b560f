"""What every importer shares: the result being built and the import's context (the acting user,
scope, today, problems and permission checks). Its own module so that the per-kind importers
(``importers``, ``episodes``) import it without importing each other."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

from finsam.access.permissions import can
from finsam.domain.access import Action
from finsam.domain.problems import Problem
from finsam.interchange.formats import column_label
from finsam.interchange.parsing import Row
from finsam.registry.models import Association


@dataclass
class ImportResult:
    kind: str
    file_name: str
    sha256: str = ""
    dry_run: bool = False
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def written(self) -> bool:
        return self.ok and not self.dry_run

    def count(self, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)

    def summary(self) -> str:
        mode = "Provkörning: " if self.dry_run else ""
        if not self.ok:
            return f"{mode}{len(self.problems)} fel i {self.file_name}; ingenting har importerats."
        verb = "skulle skapas" if self.dry_run else "skapade"
        return (
            f"{mode}{self.rows} rader i {self.file_name}: {self.created} {verb}, "
            f"{self.updated} {'skulle uppdateras' if self.dry_run else 'uppdaterade'}, "
            f"{self.unchanged} oförändrade."
        )


class ImportContext:
    """What every importer shares: the acting user, scope, today, the result being built."""

    def __init__(
        self,
        *,
        actor,
        association: Association | None,
        result: ImportResult,
        today: date,
        workers: int = 0,
        file_size: int = 0,
    ):
        self.file_size = file_size
        """Bytes in the file (the episode import decides from it how to maintain indexes)."""
        self.workers = workers
        """Worker processes for the pure per-row stage of the episode import (0: in-process)."""
        self.actor = actor
        self.association = association
        self.result = result
        self.today = today
        self.failed = False

    @property
    def writing(self) -> bool:
        return not self.failed and not self.result.dry_run

    def add(
        self,
        problems: list[Problem],
        row: Row | None = None,
        field_map: dict[str, str] | None = None,
    ) -> None:
        for p in problems:
            p = replace(
                p,
                field=(field_map or {}).get(p.field, p.field),
                row=p.row if p.row is not None else (row.number if row else None),
            )
            if p.warning:
                self.result.warnings.append(p)
            else:
                self.result.problems.append(p)
                self.failed = True

    def may(self, action: Action, *, association=None, intervention=None) -> bool:
        """The command's permission rule: the user holds IMPORT_DATA for the association, or the
        permission the web page for the same write requires (``docs/interchange.md``).
        ``actor=None`` is the server operator (the command without ``--user``)."""
        if self.actor is None:
            return True
        assoc = (
            association if association is not None else getattr(intervention, "association", None)
        )
        if assoc is not None and can(self.actor, Action.IMPORT_DATA, association=assoc):
            return True
        return can(self.actor, action, association=association, intervention=intervention)

    def denied(self, row: Row, column: str, what: str) -> None:
        self.add(
            [
                Problem(
                    column,
                    "permission.denied",
                    f"{column_label(column)}: du har inte behörighet att {what}.",
                    row.values.get(column),
                    row=row.number,
                )
            ]
        )

    def outside_scope(self, row: Row, column: str, code: str) -> bool:
        if self.association is not None and code != self.association.code:
            self.add(
                [
                    Problem(
                        column,
                        "association.other",
                        f"{column_label(column)}: raden hör till ”{code}”, men importen "
                        f"gäller förbundet ”{self.association.code}”.",
                        code,
                        row=row.number,
                    )
                ]
            )
            return True
        return False
