"""The chart of a protected report draws exactly the shown cells of the page's table (issue 13:
one protected table renders every format)."""

from finsam.domain.reports import REPORTS
from finsam.domain.reports.core import Period, ReportOptions
from finsam.domain.reports.frame import build_frame
from finsam.reports import render


def _exited(n, **kw):
    base = {"sex": "K", "age_at_start": 30, "start_date": "2018-06-01", "end_date": "2019-06-01"}
    return [{**base, "person_key": f"{kw.get('sex', 'K')}{i}", **kw} for i in range(n)]


def test_chart_shows_no_hidden_cell_and_every_shown_one():
    records = (
        _exited(3, exit_reason="ARB", sex="K")
        + _exited(30, exit_reason="REH", sex="M")
        + _exited(12, exit_reason="STU", sex="X")
    )
    result = REPORTS["avslutningsanledningar"](
        build_frame(records), ReportOptions(Period.year(2019), levels=("country",))
    )
    drawn = {(r["rad"], r["område"]) for r in render.chart_rows(result)}
    table = result.tables[0]
    hidden = {
        (row.label, area.name)
        for row in table.rows
        for area in table.areas
        if table.cell(row.key, area, "total").hidden
    }
    assert hidden and not hidden & drawn
    for row_label, area_name in drawn:
        row = next(r for r in table.rows if r.label == row_label)
        area = next(a for a in table.areas if a.name == area_name)
        assert table.display(row.key, area, "total") != ".."
