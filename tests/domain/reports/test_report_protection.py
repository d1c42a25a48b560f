"""Property: whatever the data, a protected report never lets a hidden cell be recovered."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from finsam.domain.protection import Flag, recoverable_cells
from finsam.domain.reports import REPORTS
from finsam.domain.reports.core import Period, ReportOptions
from finsam.domain.reports.frame import build_frame

episode = st.fixed_dictionaries(
    {
        "sex": st.sampled_from("KKMMX"),
        "age_at_start": st.integers(16, 70),
        "association_code": st.sampled_from(["F1", "F2", "F3"]),
        "person_key": st.one_of(st.none(), st.sampled_from([f"p{i}" for i in range(40)])),
        "start_date": st.sampled_from(["2018-05-01", "2019-02-01", "2019-06-01"]),
        "end_date": st.sampled_from([None, "2019-03-01", "2019-09-30", "2019-12-31"]),
        "exit_reason": st.sampled_from(["ARB", "STU", "REH", "OVR", "FEL"]),
        "support_before": st.lists(st.sampled_from(["FSS", "AKS", "SJP", "ING"]), max_size=2),
        "support_after": st.lists(st.sampled_from(["FSS", "ING", "STU"]), max_size=2),
        "education": st.sampled_from([None, "GRU", "GYM", "EFT"]),
        "work_hours": st.sampled_from([None, 0.0, 20.0, 45.0]),
        "study_hours": st.sampled_from([None, 0.0, 10.0]),
    }
)


def to_frame(rows):
    records = []
    for i, r in enumerate(rows, start=1):
        r = dict(r)
        if r["end_date"] is not None and r["end_date"] < r["start_date"]:
            r["end_date"] = None
        if r["end_date"] is None:
            r["exit_reason"] = None
        r["association_name"] = {"F1": "Ett", "F2": "Två", "F3": "Tre"}[r["association_code"]]
        r["county_code"] = "01" if r["association_code"] != "F3" else "02"
        for k in ("work_hours", "study_hours"):
            if r[k] is None:
                r[k] = float("nan")
        r["episode_id"] = i
        records.append(r)
    return build_frame(records)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(episode, min_size=0, max_size=60), st.sampled_from(["sex", "sex_age"]))
def test_protected_reports_leave_nothing_recoverable(rows, split):
    df = to_frame(rows)
    options = ReportOptions(
        Period.year(2019), levels=("association", "county", "country"), split=split
    )
    for name in (
        "utfall",
        "forsorjning-fore",
        "forsorjning-efter",
        "avslutningsanledningar",
        "sysselsattning",
        "deltagare",
    ):
        result = REPORTS[name](df, options)
        protected = result.tables[0].protected
        assert recoverable_cells(protected) == [], name
        for key, cell in protected.cells.items():
            if cell.kind.value == "count" and cell.value is not None and 1 <= cell.value < 5:
                assert cell.flag is Flag.PRIMARY, (name, key)
            if cell.value == 0 and cell.kind.value == "count":
                assert not cell.hidden
        # every rendered small count is the symbol
        for table in result.tables:
            for row in table.rows:
                for area in table.areas:
                    for col in table.columns:
                        c = table.cell(row.key, area, col)
                        if row.format == "count" and c.value and 1 <= c.value < 5:
                            assert table.display(row.key, area, col) == ".."
