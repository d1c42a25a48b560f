"""Outcome reports R1–R9 (``spec/reports.md``) over the episode frame – pure Python, no Django.

:data:`specs.SPECS` is the table of reports (code R1 … R9, slug, Swedish title, frames, compute);
:data:`REPORTS` maps their slugs (the command-line names of ``spec/interchange.md``) to the
report functions;
every function takes the frames it needs and a :class:`ReportOptions` and returns a
:class:`ReportResult` that a renderer turns into page, xlsx, csv, pdf or json.
"""

from finsam.domain.reports.core import (
    Area,
    Period,
    ReportOptions,
    ReportResult,
    ReportTable,
    Row,
)
from finsam.domain.reports.costs import costs
from finsam.domain.reports.followup import followup
from finsam.domain.reports.participants import interventions_report, participants
from finsam.domain.reports.quality import data_quality
from finsam.domain.reports.specs import SPECS, ReportSpec, find_spec
from finsam.domain.reports.standard import (
    exit_reasons,
    occupation,
    outcome_summary,
    support_after,
    support_before,
)

REPORTS = {s.slug: s.function for s in SPECS}
"""Slug → function, from the report specifications (:data:`specs.SPECS`). Signatures: R1–R5
``(episodes, options)``; ``deltagare`` ``(episodes, options, volume=None)``; ``insatser``
``(interventions, episodes, options)``; ``kostnader`` ``(budget_lines, episodes, options)``;
``uppfoljning`` ``(episodes, followups, options)``."""

__all__ = [
    "REPORTS",
    "SPECS",
    "Area",
    "Period",
    "ReportOptions",
    "ReportResult",
    "ReportSpec",
    "ReportTable",
    "Row",
    "costs",
    "data_quality",
    "exit_reasons",
    "find_spec",
    "followup",
    "interventions_report",
    "occupation",
    "outcome_summary",
    "participants",
    "support_after",
    "support_before",
]
