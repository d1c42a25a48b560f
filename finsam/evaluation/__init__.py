"""Evaluation: staggered difference-in-differences over municipality panels.

Pure Python (numpy/scipy/pandas), no Django. Public API:

- :func:`att_gt` – group-time ATTs (Callaway & Sant'Anna 2021) → :class:`AttGtResult`
- :func:`aggte` – simple, dynamic (event-study), group and calendar aggregations →
  :class:`AggteResult`
- :func:`evaluate_did` – att_gt plus aggregations as Evaluation CSV rows (for the command)
- :func:`validate_panel` – input checks raising ``DomainValidationError``
- :mod:`finsam.evaluation.isf` – the ISF study workflow and its report writers
"""

from finsam.evaluation.aggregate import AggteResult, aggte
from finsam.evaluation.attgt import AttGtResult, EvaluationWarning, att_gt
from finsam.evaluation.validation import validate_panel

EVALUATION_COLUMNS = (
    "outcome",
    "population",
    "aggregation",
    "group",
    "time",
    "event_time",
    "estimate",
    "std_error",
    "ci_lower",
    "ci_upper",
    "n_units",
)
"""The Evaluation CSV layout of ``spec/interchange.md``."""

from finsam.evaluation.api import evaluate_did  # noqa: E402 – needs EVALUATION_COLUMNS above

__all__ = [
    "EVALUATION_COLUMNS",
    "AggteResult",
    "AttGtResult",
    "EvaluationWarning",
    "aggte",
    "att_gt",
    "evaluate_did",
    "validate_panel",
]
