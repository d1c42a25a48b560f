"""One call for a plain DiD run: what ``finsam evaluate did`` and the web page need."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from finsam.evaluation.aggregate import AGGREGATIONS, aggte
from finsam.evaluation.attgt import AttGtResult, att_gt


def evaluate_did(
    data: pd.DataFrame,
    *,
    yname: str,
    tname: str,
    idname: str,
    gname: str,
    aggregations: Sequence[str] = AGGREGATIONS,
    population: str = "all",
    **options,
) -> tuple[AttGtResult, list[dict]]:
    """Run :func:`att_gt` and the requested aggregations; return the result and CSV rows.

    The rows follow the Evaluation CSV layout (``spec/interchange.md``): the ATT(g, t) rows
    first, then for each aggregation its overall row and its per-label rows. ``options`` are
    passed to :func:`att_gt` (``control_group``, ``est_method``, ``covariates``, ``biters``,
    ``bootstrap``, ``seed`` …).
    """
    result = att_gt(data, yname=yname, tname=tname, idname=idname, gname=gname, **options)
    rows = result.to_rows(outcome=yname, population=population)
    for kind in aggregations:
        rows += aggte(result, kind).to_rows(yname, population)
    return result, rows
