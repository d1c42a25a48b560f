"""Evaluation: staggered difference-in-differences over municipality panels.

Pure Python (numpy/scipy/pandas), no Django. Public API:

- :func:`att_gt` – group-time ATTs (Callaway & Sant'Anna 2021) → :class:`AttGtResult`
- :func:`aggte` – simple, dynamic (event-study), group and calendar aggregations →
  :class:`AggteResult`
- :func:`evaluate_did` – att_gt plus aggregations as Evaluation CSV rows (for the command)
- :func:`validate_panel` – input checks raising ``DomainValidationError``
- :mod:`finsam.evaluation.isf` – the ISF study workflow and its report writers

The public names are imported when first used (PEP 562 ``__getattr__``): the Django app
``finsam.evaluation.web`` is loaded with every ``django.setup()``, and importing this package
must not import numpy, pandas and scipy (about 2.5 s) for commands and pages that never estimate.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from finsam.evaluation.aggregate import AggteResult, aggte
    from finsam.evaluation.api import evaluate_did
    from finsam.evaluation.attgt import AttGtResult, EvaluationWarning, att_gt
    from finsam.evaluation.validation import validate_panel

_LAZY = {
    "AggteResult": "finsam.evaluation.aggregate",
    "aggte": "finsam.evaluation.aggregate",
    "AttGtResult": "finsam.evaluation.attgt",
    "EvaluationWarning": "finsam.evaluation.attgt",
    "att_gt": "finsam.evaluation.attgt",
    "validate_panel": "finsam.evaluation.validation",
    "evaluate_did": "finsam.evaluation.api",
}

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


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


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
