"""Writes of the socio-economic app: a new version of the parameter table (all-or-nothing)."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.db.models import Max

from finsam.audit.context import audited_by_caller
from finsam.audit.services import audit_change
from finsam.domain.problems import DomainValidationError, Problem
from finsam.domain.socioeconomics._csvio import CsvSource
from finsam.domain.socioeconomics.parameters import PaybackParameters, read_parameters
from finsam.socioeconomics.models import ParameterRow, ParameterSet

MIN_YEAR, MAX_YEAR = 2004, 2100


def parameter_set_upload(
    *, actor, valid_year: int, source: CsvSource, source_notes: str = ""
) -> ParameterSet:
    """Validate a parameter file with the core's reader and store it as the next version for
    ``valid_year``. Any problem raises ``DomainValidationError`` listing every problem, and
    nothing is written."""
    if not MIN_YEAR <= valid_year <= MAX_YEAR:
        raise DomainValidationError(
            [
                Problem(
                    "valid_year",
                    "parameters.valid_year",
                    f"Året som tabellen gäller måste vara {MIN_YEAR}–{MAX_YEAR} (nu {valid_year}).",
                    valid_year,
                )
            ]
        )
    table = read_parameters(source, valid_year=valid_year)
    if not table.rows:
        raise DomainValidationError(
            [
                Problem(
                    "file",
                    "parameters.empty",
                    "Parameterfilen innehåller inga rader; minst en rad krävs.",
                )
            ]
        )
    return _store(actor=actor, table=table, source_notes=source_notes)


@transaction.atomic
def _store(*, actor, table: PaybackParameters, source_notes: str) -> ParameterSet:
    latest = ParameterSet.objects.filter(valid_year=table.valid_year).aggregate(m=Max("version"))[
        "m"
    ]
    with audited_by_caller():  # the upload row below covers the set and its rows
        parameter_set = ParameterSet.objects.create(
            valid_year=table.valid_year,
            version=(latest or 0) + 1,
            source_notes=source_notes,
            uploaded_by=actor if getattr(actor, "pk", None) else None,
        )
    ParameterRow.objects.bulk_create(
        ParameterRow(
            parameter_set=parameter_set,
            position=position,
            item=row.item,
            actor=row.actor,
            monthly_sek=Decimal(f"{row.monthly_sek:.2f}"),
            source=row.source[:500],
            year=row.year,
            assumption=row.assumption,
            note=row.note[:500],
        )
        for position, row in enumerate(table.rows, start=1)
    )
    audit_change(
        actor=actor,
        action="parameter_set_upload",
        obj=parameter_set,
        summary=f"{parameter_set}: {len(table.rows)} rader",
    )
    return parameter_set
