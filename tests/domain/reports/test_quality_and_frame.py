import numpy as np
import pandas as pd
import pytest

from finsam.domain.problems import DomainValidationError
from finsam.domain.reports.core import Period
from finsam.domain.reports.frame import EPISODE_COLUMNS, build_frame, validate_frame
from finsam.domain.reports.quality import CHECK_LABELS, data_quality


def quality_frame():
    return build_frame(
        [
            # 1 complete exit
            {
                "episode_id": 1,
                "sex": "K",
                "age_at_start": 30,
                "start_date": "2019-01-01",
                "end_date": "2019-03-01",
                "exit_reason": "ARB",
                "occupation_after": "ARB",
                "support_after": ["ING"],
                "work_hours": 40,
                "study_hours": 0,
                "education": "GYM",
                "time_on_support": "LT1",
            },
            # 2 exit without reason, support after only SAK, no extents
            {
                "episode_id": 2,
                "sex": "M",
                "age_at_start": 30,
                "start_date": "2019-01-01",
                "end_date": "2019-03-01",
                "support_after": ["SAK"],
                "education": "SAK",
            },
            # 3 enrolled since 2016: overdue at 24 months, not at 48
            {
                "episode_id": 3,
                "sex": "K",
                "age_at_start": 30,
                "start_date": "2016-06-01",
                "education": "GRU",
                "time_on_support": "GE9",
            },
            # 4 FEL: never reported
            {
                "episode_id": 4,
                "sex": "K",
                "age_at_start": 30,
                "start_date": "2019-01-01",
                "end_date": "2019-01-02",
                "exit_reason": "FEL",
            },
            # 5 other association, ended before the period: not active
            {
                "episode_id": 5,
                "sex": "K",
                "age_at_start": 30,
                "start_date": "2017-01-01",
                "end_date": "2018-01-02",
                "exit_reason": "ARB",
                "association_code": "F2",
                "association_name": "Förbund 2",
            },
            # 6 other association, active, missing education
            {
                "episode_id": 6,
                "sex": "X",
                "age_at_start": 30,
                "start_date": "2019-05-01",
                "association_code": "F2",
                "association_name": "Förbund 2",
                "time_on_support": "NONE",
            },
        ]
    )


def test_data_quality_lists_episode_ids_per_association_and_check():
    result = data_quality(quality_frame(), Period.year(2019))
    f1 = result.association("F1")
    assert f1.episodes == 3
    assert f1.issues["saknar_avslutsdata"] == (2,)
    assert f1.issues["saknar_forsorjning_efter"] == (2,)
    assert f1.issues["saknar_omfattning"] == (2,)
    assert f1.issues["saknar_utbildning"] == (2,)
    assert f1.issues["saknar_tid_i_forsorjning"] == (2,)
    assert f1.issues["passerat_maxtid"] == (3,)
    assert f1.share("passerat_maxtid") == pytest.approx(100 / 3)
    f2 = result.association("F2")
    assert f2.episodes == 1 and f2.issues["saknar_utbildning"] == (6,)
    assert set(CHECK_LABELS) == set(f1.issues)
    longer = data_quality(quality_frame(), Period.year(2019), overdue_months=48)
    assert longer.association("F1").issues["passerat_maxtid"] == ()
    with pytest.raises(DomainValidationError) as err:
        data_quality(quality_frame(), Period.year(2019), overdue_months=0)
    assert "Maxtiden" in str(err.value)


def test_build_frame_defaults_and_dtypes():
    df = build_frame([{"sex": "K", "age_at_start": 20, "start_date": "2019-01-01"}])
    assert list(df.columns) == [c.name for c in EPISODE_COLUMNS]
    assert df["start_date"].dtype == np.dtype("datetime64[ns]")
    assert pd.isna(df.loc[0, "end_date"])
    assert df.loc[0, "person_key"] is None
    assert np.isnan(df.loc[0, "work_hours"])
    assert df.loc[0, "episode_id"] == 1


def test_validate_frame_reports_every_problem_in_swedish():
    df = build_frame([{"sex": "K", "age_at_start": 20, "start_date": "2019-01-01"}])
    bad = df.copy()
    bad.loc[0, "sex"] = "Q"
    bad.loc[0, "end_date"] = pd.Timestamp("2018-01-01")
    bad.loc[0, "exit_reason"] = "XYZ"
    with pytest.raises(DomainValidationError) as err:
        validate_frame(bad)
    rules = {p.rule for p in err.value.problems}
    assert {"frame.code", "frame.end_before_start"} <= rules
    assert all(p.row == 1 for p in err.value.problems)
    assert "kodlistan" in str(err.value)
    with pytest.raises(DomainValidationError) as err:
        validate_frame(df.drop(columns=["sex"]).assign(kon="K"))
    assert {p.rule for p in err.value.problems} == {"frame.missing_column", "frame.unknown_column"}
    with pytest.raises(DomainValidationError) as err:
        build_frame([{"sex": "K", "age_at_start": 20}])
    assert err.value.problems[0].field == "start_date"
    with pytest.raises(DomainValidationError):
        build_frame([{"sex": "K", "age_at_start": 20, "start_date": "2003-12-31"}])


def test_other_schemas():
    iv = build_frame(
        [{"intervention_code": "I1", "start_date": "2019-01-01", "target_groups": ["UNG"]}],
        "interventions",
    )
    assert iv.loc[0, "target_groups"] == ["UNG"]
    with pytest.raises(DomainValidationError):
        build_frame(
            [{"intervention_code": "I1", "start_date": "2019-01-01", "target_groups": ["XX"]}],
            "interventions",
        )
    with pytest.raises(DomainValidationError):
        build_frame([{"episode_id": 1, "months_after": 7}], "followups")


def test_unprotected_only_for_own_association_and_allowed_roles():
    from finsam.domain.reports.core import unprotected_allowed

    assert unprotected_allowed("participant_handler", ["F1"], ["association"], ["F1"])
    assert unprotected_allowed("association_admin", ["F1", "F2"], ["association"], ["F1", "F2"])
    assert not unprotected_allowed("association_admin", ["F1"], ["association"], ["F1", "F2"])
    assert not unprotected_allowed("association_admin", ["F1"], ["association"], None)
    assert not unprotected_allowed("association_admin", ["F1"], ["association", "county"], ["F1"])
    assert not unprotected_allowed("board_reader", ["F1"], ["association"], ["F1"])
    assert not unprotected_allowed("national_analyst", ["F1"], ["country"], ["SE"])


def test_empty_person_key_is_anonymous_and_pandas_booleans_are_read():
    df = build_frame(
        [{"sex": "K", "age_at_start": 20, "start_date": "2019-01-01", "person_key": ""}]
    )
    assert df.loc[0, "person_key"] is None
    from finsam.domain.reports.standard import work_study_increased

    frame = pd.concat([df, df], ignore_index=True)
    frame["work_study_increased"] = pd.array([True, pd.NA], dtype="boolean")
    assert work_study_increased(frame).tolist() == [True, False]
