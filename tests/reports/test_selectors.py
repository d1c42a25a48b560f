"""The selectors load frames the core accepts, with the same numbers as a hand-built frame."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from finsam.domain import codelists as cl
from finsam.domain.reports import REPORTS
from finsam.domain.reports.core import Period, ReportOptions
from finsam.domain.reports.export import report_csv, report_to_dict
from finsam.domain.reports.frame import build_frame, validate_frame
from finsam.reports import selectors

PERIOD = Period(date(2025, 1, 1), date(2025, 12, 31))
SBG = dict(
    intervention_code="SBG-IND",
    intervention_name="Individinsats",
    association_code="SBG",
    association_name="Samordningsförbundet Sundbyberg",
    county_code="01",
    county_name="Stockholms län",
    home_municipality="0183",
)
OTH = dict(SBG, intervention_code="OTH-IND", association_code="OTH")
OTH.update(association_name="Annat förbund", home_municipality="0180")


def hand_built(registry):
    """The episode frame written by hand from what the fixture registered (FEL left out, as the
    selector leaves it out; the population rules would exclude it anyway)."""
    from finsam.registry.models import Participant

    ids = [e.pk for e in registry["episodes"]]
    # the person key is the participant id of identified participants (one per pseudonym)
    woman = str(Participant.objects.get(episodes=ids[0]).pk)
    man = str(Participant.objects.get(episodes=ids[1]).pk)
    nan = np.nan
    rows = [
        dict(
            SBG,
            episode_id=ids[0],
            person_key=woman,
            sex="K",
            age_at_start=34,
            start_date=date(2024, 3, 1),
            end_date=date(2025, 5, 31),
            exit_reason="ARB",
            support_before=["FSS"],
            support_after=["ING"],
            occupation_before="ARS",
            occupation_after="ARB",
            time_on_support="3TO9",
            education="GRU",
            work_hours_before=0.0,
            study_hours_before=0.0,
            work_hours=40.0,
            study_hours=0.0,
            work_study_increased=True,
        ),
        dict(
            SBG,
            episode_id=ids[1],
            person_key=man,
            sex="M",
            age_at_start=38,
            start_date=date(2024, 6, 1),
            end_date=date(2025, 9, 30),
            exit_reason="STU",
            support_before=["FSS", "AKS"],
            support_after=["STU"],
            occupation_after="STU",
            time_on_support="1TO3",
            education="EFT",
            work_hours=0.0,
            study_hours=20.0,
        ),
        dict(
            SBG,
            episode_id=ids[2],
            sex="K",
            age_at_start=30,
            start_date=date(2025, 2, 1),
            support_before=["SJP"],
        ),
        dict(
            SBG,
            episode_id=ids[3],
            sex="X",
            age_at_start=45,
            start_date=date(2025, 1, 15),
            end_date=date(2025, 10, 31),
            exit_reason="AVB",
            support_before=["SJP"],
            support_after=["SJP"],
            occupation_after="OVR",
            education="GYM",
        ),
        dict(
            OTH,
            episode_id=ids[5],
            sex="M",
            age_at_start=55,
            start_date=date(2025, 4, 1),
            end_date=date(2025, 8, 31),
            exit_reason="ARB",
            support_before=["FSS"],
            support_after=["ING"],
            occupation_after="ARB",
            work_hours=40.0,
            study_hours=0.0,
        ),
        dict(
            OTH,
            episode_id=ids[6],
            person_key=woman,
            sex="K",
            age_at_start=35,
            start_date=date(2025, 6, 15),
            support_before=["FSS"],
        ),
    ]
    for r in rows:
        r.setdefault("work_hours_before", nan)
    return build_frame(rows)


def _sorted(df):
    return df.sort_values("episode_id").reset_index(drop=True)


def test_episode_frame_is_valid_and_equals_the_hand_built_frame(registry):
    frame = selectors.episodes_frame(selectors.Selection(PERIOD))
    checked = validate_frame(frame)
    pd.testing.assert_frame_equal(checked, frame)  # already canonical: validation changes nothing
    # text columns come as categoricals (codes for the core), the hand-built ones as strings
    assert isinstance(frame["person_key"].dtype, pd.CategoricalDtype)
    as_text = frame.assign(
        **{
            name: frame[name].astype(object).where(frame[name].notna(), None)
            for name in frame.columns
            if isinstance(frame[name].dtype, pd.CategoricalDtype)
        }
    )
    pd.testing.assert_frame_equal(_sorted(as_text), _sorted(hand_built(registry)))
    fel = registry["episodes"][4].pk
    assert fel not in set(frame["episode_id"])


def test_selection_narrows_to_the_associations_and_the_period(registry):
    sbg = registry["association"].pk
    frame = selectors.episodes_frame(selectors.Selection(PERIOD, (sbg,)))
    assert set(frame["association_code"]) == {"SBG"}
    assert len(frame) == 4
    # 2026: only the still open episodes are active
    later = selectors.episodes_frame(selectors.Selection(Period.year(2026)))
    assert sorted(later["exit_reason"].isna()) == [True, True]
    assert len(selectors.episodes_frame(selectors.Selection(Period.year(2023)))) == 0


def test_history_brings_earlier_episodes_of_the_same_persons(registry):
    oth = registry["other"].pk
    plain = selectors.episodes_frame(selectors.Selection(Period.year(2025), (oth,)))
    assert set(plain["association_code"]) == {"OTH"}
    history = selectors.episodes_frame(
        selectors.Selection(Period(date(2025, 6, 1), date(2025, 12, 31)), (oth,)), history=True
    )
    # the woman's earlier SBG episode (2024) comes along, nobody else's
    assert set(history["association_code"]) == {"OTH", "SBG"}
    assert len(history.loc[history["association_code"] == "SBG"]) == 1


@pytest.mark.parametrize(
    "name",
    [
        "utfall",
        "forsorjning-fore",
        "forsorjning-efter",
        "avslutningsanledningar",
        "sysselsattning",
        "deltagare",
    ],
)
@pytest.mark.parametrize("protected", [True, False])
def test_reports_from_the_database_equal_reports_from_the_hand_built_frame(
    registry, name, protected
):
    options = ReportOptions(PERIOD, ("association", "county", "country"), protected=protected)
    db = selectors.episodes_frame(selectors.Selection(PERIOD), history=name == "deltagare")
    hand = hand_built(registry)
    a, b = REPORTS[name](db, options), REPORTS[name](hand, options)
    assert report_csv(a) == report_csv(b)
    assert report_to_dict(a) == report_to_dict(b)
    if name == "deltagare":
        assert a.anonymous_episodes == 3  # e3, e4, e6 active in 2025


def test_followups_volume_interventions_and_budget_frames(registry):
    sel = selectors.Selection(PERIOD)
    fu = selectors.followups_frame(sel)
    expected = build_frame(
        [
            dict(
                episode_id=registry["episodes"][0].pk,
                months_after=6,
                support=["ING"],
                occupation="ARB",
                work_hours=40.0,
            )
        ],
        "followups",
    )
    pd.testing.assert_frame_equal(fu, expected)
    pd.testing.assert_frame_equal(validate_frame(fu, "followups"), fu)

    vol = selectors.volume_frame(sel)
    pd.testing.assert_frame_equal(
        vol,
        build_frame(
            [
                dict(
                    intervention_code="SBG-VOL",
                    association_code="SBG",
                    month=date(2025, 3, 1),
                    women=3,
                    men=2,
                    other=1,
                )
            ],
            "volume",
        ),
    )
    iv = selectors.interventions_frame(sel)
    pd.testing.assert_frame_equal(validate_frame(iv, "interventions"), iv)
    assert sorted(iv["intervention_code"]) == ["OTH-IND", "OTH-VOL", "SBG-IND", "SBG-VOL"]

    bl = selectors.budget_frame(sel)
    pd.testing.assert_frame_equal(validate_frame(bl, "budget_lines"), bl)
    got = {(r.line, r.category): (r.budget, r.actual) for r in bl.itertuples()}
    assert got[("resource", "state")] == (100000.0, 100000.0)
    assert got[("resource", "municipality")] == (50000.0, 50000.0)
    assert np.isnan(got[("resource", "equity")][1])
    assert got[("intervention_cost", None)] == (80000.0, 75000.0)
    assert got[("admin_cost", "PREMISES")] == (20000.0, 21000.0)


def test_r7_r8_r9_from_the_database(registry):
    sel = selectors.Selection(PERIOD)
    episodes = selectors.episodes_frame(sel)
    options = ReportOptions(PERIOD, ("association",), protected=False)
    r9 = REPORTS["uppfoljning"](episodes, selectors.followups_frame(sel), options)
    sbg = ("association", "SBG")
    table = r9.tables[0]
    assert any(table.value(r.key, sbg, "total") == 1 for r in table.rows)
    r8 = REPORTS["kostnader"](selectors.budget_frame(sel), episodes, options)
    costs = r8.tables[0]
    area = ("association", "SBG:2025")
    assert costs.value("resurser_totalt", area, "budget") == 160000.0
    assert costs.value("insatskostnader", area, "actual") == 75000.0
    r7 = REPORTS["insatser"](selectors.interventions_frame(sel), episodes, options)
    assert r7.tables[0].value("aktiva", sbg, "total") == 2


def test_report_category_maps_funder_codes():
    assert selectors.report_category("resource", "AF") == "state"
    assert selectors.report_category("resource", "01") == "region"
    assert selectors.report_category("resource", "ESF") == "esf"
    assert selectors.report_category("resource", "???") == "other"
    assert selectors.report_category("intervention_cost", "esf") == "esf"
    assert selectors.report_category("admin_cost", "") is None
    assert cl.support_mask(["ING"]) > 0


def test_an_erased_identity_becomes_an_anonymous_stratum(registry):
    from finsam.registry import services

    e2 = registry["episodes"][1]
    services.participant_erase(
        actor=registry["users"]["system_admin"], participant=e2.participant, reason="begäran"
    )
    frame = selectors.episodes_frame(selectors.Selection(PERIOD))
    row = frame.loc[frame["episode_id"] == e2.pk].iloc[0]
    assert pd.isna(row["person_key"]) and row["sex"] == "M" and row["age_at_start"] == 38
    identified = frame.loc[frame["person_key"].notna(), "episode_id"]
    assert set(identified) == {registry["episodes"][0].pk, registry["episodes"][6].pk}
