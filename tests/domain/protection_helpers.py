"""Test tables shared by the protection tests (``test_protection.py``,
``test_protection_attack.py``)."""

from __future__ import annotations

from finsam.domain.protection import grid_table


def grid(body: list[list[int]]):
    """Rows r0.., columns c0.. plus a total row "T" and total column "T"."""
    n_rows, n_cols = len(body), len(body[0])
    rows = [f"r{i}" for i in range(n_rows)] + ["T"]
    cols = [f"c{j}" for j in range(n_cols)] + ["T"]
    values = {}
    for i in range(n_rows):
        for j in range(n_cols):
            values[(rows[i], cols[j])] = body[i][j]
        values[(rows[i], "T")] = sum(body[i])
    for j in range(n_cols):
        values[("T", cols[j])] = sum(body[i][j] for i in range(n_rows))
    values[("T", "T")] = sum(map(sum, body))
    return grid_table(values, rows, cols, total_row="T", total_column="T")
