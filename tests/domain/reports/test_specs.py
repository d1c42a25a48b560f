"""The table of report specifications: one name per report, every place reads it."""

from __future__ import annotations

import pytest

from finsam.domain.reports import REPORTS
from finsam.domain.reports.core import Period, ReportOptions
from finsam.domain.reports.export import REPORTS_WITH_ROW_LABEL
from finsam.domain.reports.specs import BY_CODE, FRAME_NAMES, SPECS, find_spec
from tests.domain.reports.test_report_protection import to_frame

ROWS = [
    {
        "sex": sex,
        "age_at_start": 30,
        "association_code": "F1",
        "person_key": None,
        "start_date": "2019-02-01",
        "end_date": "2019-09-30",
        "exit_reason": "ARB",
        "support_before": ["FSS"],
        "support_after": ["ING"],
        "education": "GYM",
        "work_hours": 20.0,
        "study_hours": 0.0,
    }
    for sex in "KKKMMMMM"
]


def test_codes_and_slugs_are_unique_and_in_order():
    assert [s.code for s in SPECS] == [f"R{i}" for i in range(1, 10)]
    assert len({s.slug for s in SPECS}) == len(SPECS)
    assert list(REPORTS) == [s.slug for s in SPECS]
    assert all(set(s.frames) <= set(FRAME_NAMES) - {"episodes"} for s in SPECS)
    assert {"R2", "R3", "R4"} == REPORTS_WITH_ROW_LABEL


@pytest.mark.parametrize(
    ("name", "code"),
    [("R1", "R1"), ("r1", "R1"), ("utfall", "R1"), (" R9 ", "R9"), ("kostnader", "R8")],
)
def test_a_report_is_found_by_code_or_slug(name, code):
    assert find_spec(name) is BY_CODE[code]


@pytest.mark.parametrize("name", ["", "R10", "outcome_summary", "Utfall"])
def test_unknown_names(name):
    assert find_spec(name) is None


@pytest.mark.parametrize("spec", [s for s in SPECS if not s.frames], ids=lambda s: s.code)
def test_the_result_carries_the_name_of_its_spec(spec):
    options = ReportOptions(Period.year(2019), levels=("association",))
    result = spec.run({"episodes": to_frame(ROWS)}, options, {"F1": "Ett"})
    assert (result.key, result.code) == (spec.slug, spec.code)
