import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from finsam.domain.problems import DomainValidationError
from finsam.domain.protection import (
    Cell,
    Flag,
    Kind,
    Line,
    ProtectionRule,
    Table,
    protect,
    recoverable_cells,
)
from tests.domain.protection_helpers import grid

small_or_large = st.one_of(
    st.just(0), st.integers(1, 4), st.integers(5, 60), st.integers(1, 10_000)
)
bodies = st.integers(1, 6).flatmap(
    lambda r: st.integers(1, 6).flatmap(
        lambda c: st.lists(st.lists(small_or_large, min_size=c, max_size=c), min_size=r, max_size=r)
    )
)


def test_primary_suppression_hides_1_to_4_and_keeps_zero_and_five():
    result = protect(grid([[0, 1, 4, 5, 100]]))
    assert result[("r0", "c0")].flag is Flag.SHOWN
    assert result[("r0", "c1")].flag is Flag.PRIMARY
    assert result[("r0", "c2")].flag is Flag.PRIMARY
    assert result[("r0", "c3")].flag is not Flag.PRIMARY  # 5 may be hidden, as a complement
    assert result.render(("r0", "c1")) == ".."
    assert result.render(("r0", "c0")) == "0"


def test_single_hidden_cell_in_a_line_forces_the_next_smallest():
    # row: 3 (primary), 7, 50 with row total 60: 7 must go too
    result = protect(grid([[3, 7, 50], [20, 20, 20]]))
    assert result[("r0", "c0")].flag is Flag.PRIMARY
    assert result[("r0", "c1")].flag is Flag.SECONDARY
    assert result[("r0", "c2")].flag is Flag.SHOWN
    assert recoverable_cells(result) == []


def test_only_candidate_is_the_total():
    # one row: 3 and 0 with total 3 -> total is primary as well; 2 and 0 with total 2 likewise.
    # 3, 0 with total 3 below threshold: hide total. Use a line where total is large:
    table = Table(
        {"a": Cell(3), "b": Cell(0), "t": Cell(3 + 0)}, (Line("t", ("a", "b")),)
    )  # total 3 is itself primary
    result = protect(table)
    assert result["t"].hidden and result["a"].hidden and not result["b"].hidden
    table = Table({"a": Cell(3), "b": Cell(0), "t": Cell(9)}, (Line("t", ("a", "b")),))
    # not an additive table (t != a + b) but the algorithm must still hide the total
    result = protect(table)
    assert result["t"].flag is Flag.SECONDARY
    assert result["b"].flag is Flag.SHOWN


def test_hidden_total_with_all_parts_shown_hides_a_part():
    table = Table(
        {"a": Cell(10), "b": Cell(20), "t": Cell(30)},
        (Line("t", ("a", "b")),),
    )
    result = protect(table, presuppressed=["t"])
    assert result["a"].flag is Flag.SECONDARY
    assert recoverable_cells(result) == []


def test_derived_cells_follow_their_counts_and_their_n():
    cells = {
        "count": Cell(3),
        "total": Cell(40),
        "pct": Cell(7.5, Kind.DERIVED, n=40, refs=("count", "total")),
        "mean_small": Cell(12.0, Kind.DERIVED, n=4),
        "mean_zero": Cell(None, Kind.DERIVED, n=0),
        "mean_ok": Cell(12.0, Kind.DERIVED, n=5),
    }
    result = protect(Table(cells))
    assert result["pct"].flag is Flag.DERIVED
    assert result["mean_small"].flag is Flag.PRIMARY
    assert result["mean_zero"].flag is Flag.EMPTY
    assert result.render("mean_zero") == ""
    assert result["mean_ok"].flag is Flag.SHOWN


def test_threshold_and_symbol_are_configurable_and_validated():
    result = protect(grid([[2, 3, 40]]), ProtectionRule.for_threshold(3))
    assert result[("r0", "c0")].hidden
    assert result.render(("r0", "c0")) == ".."  # one symbol whatever the threshold
    assert result[("r0", "c1")].flag is not Flag.PRIMARY
    with pytest.raises(DomainValidationError) as err:
        ProtectionRule(0)
    assert "Tröskelvärdet" in str(err.value)
    assert "3" in ProtectionRule.for_threshold(3).note()


def test_unprotected_shows_everything():
    result = protect(grid([[1, 2], [3, 4]]), protected=False)
    assert all(c.flag is Flag.UNPROTECTED for c in result.cells.values())
    assert result.render(("r0", "c0")) == "1"


def test_line_to_missing_cell_is_rejected_in_swedish():
    with pytest.raises(DomainValidationError) as err:
        Table({"a": Cell(1)}, (Line("t", ("a",)),))
    assert err.value.problems[0].rule == "protection.line_cell"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bodies, st.integers(1, 8))
def test_no_hidden_value_recoverable_from_any_shown_line(body, threshold):
    table = grid(body)
    result = protect(table, ProtectionRule.for_threshold(threshold))
    # the attack: in every line with exactly one hidden cell, subtract the shown ones
    assert recoverable_cells(result) == []
    for line in table.lines:
        hidden = [k for k in line.cells if result[k].hidden]
        assert len(hidden) != 1


@settings(max_examples=300, deadline=None)
@given(bodies, st.integers(1, 8))
def test_zeros_untouched_and_large_cells_never_primary(body, threshold):
    table = grid(body)
    result = protect(table, ProtectionRule.for_threshold(threshold))
    for key, cell in table.cells.items():
        if cell.value == 0:
            assert result[key].flag is Flag.SHOWN
        if cell.value >= threshold:
            assert result[key].flag is not Flag.PRIMARY
        if 1 <= cell.value < threshold:
            assert result[key].flag is Flag.PRIMARY
        assert result[key].value == cell.value


@settings(max_examples=200, deadline=None)
@given(bodies, st.integers(1, 8))
def test_tables_without_small_cells_are_unchanged(body, threshold):
    body = [[0 if v < threshold else v for v in row] for row in body]
    result = protect(grid(body), ProtectionRule.for_threshold(threshold))
    assert result.hidden == frozenset()


@settings(max_examples=200, deadline=None)
@given(bodies, st.integers(1, 8))
def test_protection_is_idempotent(body, threshold):
    table = grid(body)
    rule = ProtectionRule.for_threshold(threshold)
    first = protect(table, rule)
    second = protect(table, rule, presuppressed=first.hidden)
    assert second.hidden == first.hidden
    assert protect(table, rule).hidden == first.hidden  # deterministic


@settings(max_examples=200, deadline=None)
@given(bodies, st.integers(2, 8))
def test_shares_follow_their_counts(body, threshold):
    """A percentage of each cell over its row total is hidden whenever the count or total is."""
    table = grid(body)
    cells = dict(table.cells)
    for (r, c), cell in table.cells.items():
        total = table.cells[(r, "T")].value
        cells[("pct", r, c)] = Cell(
            None if not total else 100 * cell.value / total,
            Kind.DERIVED,
            n=total,
            refs=((r, c), (r, "T")),
        )
    result = protect(Table(cells, table.lines), ProtectionRule.for_threshold(threshold))
    for r, c in table.cells:
        share = result[("pct", r, c)]
        if result[(r, c)].hidden or result[(r, "T")].hidden:
            assert share.hidden
        if 1 <= (table.cells[(r, "T")].value or 0) < threshold:
            assert share.hidden
    assert recoverable_cells(result) == []


def test_protect_count_applies_the_primary_rule_to_a_standalone_count():
    from finsam.domain.protection import ProtectionRule, protect_count

    rule = ProtectionRule.for_threshold(5)
    assert [protect_count(v, rule) for v in (None, 0, 1, 4, 5, 120)] == [
        None,
        0,
        "..",
        "..",
        5,
        120,
    ]
    assert protect_count(3, rule, protected=False) == 3
