"""R3, R5, R6, R8, R9 on small hand-computed data sets."""

import json
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from finsam.domain.codelists import support_bit
from finsam.domain.protection import audit, recoverable_cells
from finsam.domain.reports import REPORTS
from finsam.domain.reports.core import Period, ReportOptions
from finsam.domain.reports.costs import costs
from finsam.domain.reports.export import report_csv, report_csv_rows, report_to_dict
from finsam.domain.reports.followup import followup
from finsam.domain.reports.frame import build_frame
from finsam.domain.reports.participants import participants
from finsam.domain.reports.standard import occupation, support_after

Y2019 = Period.year(2019)


_keys = iter(range(10**6))


def exited(n, **kw):
    """n exited episodes, each its own identified person unless ``person_key`` is given."""
    base = {
        "sex": "K",
        "age_at_start": 30,
        "start_date": "2018-06-01",
        "end_date": "2019-06-01",
        "exit_reason": "REH",
    }
    return [{**base, "person_key": f"p{next(_keys)}", **kw} for _ in range(n)]


def test_r3_before_after_change_and_flow_for_the_same_episodes():
    records = (
        exited(6, support_before=["FSS"], support_after=["ING"])
        + exited(2, support_before=["FSS", "AKS"], support_after=["AKS"], sex="M")
        + exited(3, support_before=["SJP"], support_after=[])  # after missing → SAK
        + exited(1, support_before=["SJP"], support_after=["SJP"], exit_reason="FEL")
        + [{"sex": "M", "age_at_start": 30, "start_date": "2019-01-01", "support_before": ["ETA"]}]
    )
    result = support_after(build_frame(records), ReportOptions(Y2019, protected=False))
    a = ("association", "F1")
    after, before, change = (result.table(k) for k in ("efter", "fore", "forandring"))
    assert after.value("ING", a, "total") == 6
    assert after.value("SAK", a, "total") == 3
    assert before.value("FSS", a, "total") == 8
    assert before.value("ETA", a, "total") == 0  # not exited: not in R3
    assert change.value("FSS", a, "total") == -8
    assert change.value("ING", a, "total") == 6
    assert change.value("AKS", a, "men") == 0
    assert before.value("summa_koder", a, "total") == 13
    assert before.value("antal_episoder", a, "total") == 11
    flow = result.table("flodesmatris")
    assert flow.value("FSS", a, "ING") == 6
    assert flow.value("FSS", a, "AKS") == 2 and flow.value("AKS", a, "AKS") == 2
    assert flow.value("SJP", a, "SAK") == 3
    rows = report_csv_rows(result)
    keys = [r["row"] for r in rows]
    assert "FSS" in keys and "fore.FSS" in keys and "forandring.FSS" in keys
    assert not any(k.startswith("flodesmatris") for k in keys)


def test_r3_protected_change_cannot_reveal_hidden_counts():
    records = exited(3, support_before=["FSS"], support_after=["ING"]) + exited(
        20, support_before=["FSS"], support_after=["FSS"]
    )
    result = support_after(build_frame(records), ReportOptions(Y2019))
    a = ("association", "F1")
    assert result.table("efter").display("ING", a, "total") == ".."
    assert result.table("forandring").display("ING", a, "total") == ".."
    assert recoverable_cells(result.tables[0].protected) == []


def test_r5_occupation_groups_and_percentage_points():
    records = (
        exited(5, occupation_before="ARS", occupation_after="ARB")
        + exited(5, occupation_before="OVR", occupation_after="STU")
        + exited(5, occupation_before=None, occupation_after="OVR")
        + exited(5, occupation_before="ARB", occupation_after="ARB")
    )
    result = occupation(build_frame(records), ReportOptions(Y2019, protected=False))
    a = ("association", "F1")
    assert result.table("fore").value("SAK", a, "total") == 5
    assert result.table("efter").value("ARB", a, "total") == 10
    assert result.table("forandring").value("ARB", a, "total") == 5
    assert result.table("forandring_procentenheter").value("ARB", a, "total") == pytest.approx(25)
    assert result.table("forandring").value("ARS", a, "total") == -5


def test_r6_new_and_returning_persons_and_age_bands():
    records = [
        # p1: earlier episode in 2017, new one in 2019 → returning
        {
            "person_key": "p1",
            "sex": "K",
            "age_at_start": 22,
            "start_date": "2017-01-01",
            "end_date": "2017-06-01",
            "exit_reason": "REH",
        },
        {"person_key": "p1", "sex": "K", "age_at_start": 24, "start_date": "2019-02-01"},
        # p2: two episodes in 2019 → one new person, two episodes
        {
            "person_key": "p2",
            "sex": "M",
            "age_at_start": 45,
            "start_date": "2019-01-01",
            "end_date": "2019-03-01",
            "exit_reason": "ARB",
        },
        {"person_key": "p2", "sex": "M", "age_at_start": 45, "start_date": "2019-04-01"},
        # anonymous, active from 2018
        {"person_key": None, "sex": "X", "age_at_start": 61, "start_date": "2018-05-01"},
        # FEL: nothing
        {
            "person_key": "p3",
            "sex": "K",
            "age_at_start": 30,
            "start_date": "2019-01-01",
            "end_date": "2019-01-02",
            "exit_reason": "FEL",
        },
    ]
    volume = build_frame(
        [
            {"intervention_code": "V1", "month": "2019-01-01", "women": 3, "men": 4, "other": 1},
            {"intervention_code": "V1", "month": "2018-12-01", "women": 30, "men": 0, "other": 0},
        ],
        "volume",
    )
    options = ReportOptions(Y2019, split="sex_age", protected=False)
    result = participants(build_frame(records), options, volume)
    t = result.table("deltagare")
    a = ("association", "F1")
    assert t.value("personer_aktiva", a, "total") == 3
    assert t.value("episoder_aktiva", a, "total") == 4
    assert t.value("personer_paborjade", a, "total") == 2
    assert t.value("episoder_paborjade", a, "total") == 3
    assert t.value("aterkommande_personer", a, "total") == 1
    assert t.value("nya_personer", a, "total") == 1
    assert t.value("personer_avslutade", a, "men") == 1
    assert t.value("anonyma_episoder_aktiva", a, "total") == 1
    assert t.value("episoder_aktiva", a, "20–24") == 1
    assert t.value("episoder_aktiva", a, "40–49") == 2
    assert t.value("episoder_aktiva", a, "60–64") == 1
    assert "20–24" in t.columns
    v = result.table("volym")
    assert (v.value("volym", a, "total"), v.value("volym", a, "women")) == (8, 3)


def test_r9_follow_up_only_counts_episodes_with_a_follow_up():
    records = (
        exited(6, support_after=["FSS"], work_hours=0.0, study_hours=0.0)
        + exited(4, support_after=["ING"], work_hours=40.0, study_hours=0.0)
        + exited(5, support_after=["FSS"])
    )
    eps = build_frame(records)
    fu = build_frame(
        [
            {"episode_id": i, "months_after": 6, "support": ["ING"], "work_hours": 20.0}
            for i in range(1, 6)
        ]
        + [
            {"episode_id": i, "months_after": 6, "support": ["FSS"], "occupation": "OVR"}
            for i in range(7, 11)
        ]
        + [
            {"episode_id": i, "months_after": 12, "support": [], "occupation": "ARB"}
            for i in range(1, 11)
        ],
        "followups",
    )
    result = followup(eps, fu, ReportOptions(Y2019, protected=False))
    t = result.table("uppfoljning")
    a = ("association", "F1")
    assert t.value("m6_antal", a, "total") == 9
    assert t.value("m6_offentlig_vid_avslut_pct", a, "total") == pytest.approx(100 * 5 / 9)
    assert t.value("m6_offentlig_uppfoljning_pct", a, "total") == pytest.approx(100 * 4 / 9)
    assert t.value("m6_arbete_vid_avslut_pct", a, "total") == pytest.approx(100 * 4 / 9)
    assert t.value("m6_arbete_uppfoljning_pct", a, "total") == pytest.approx(100 * 5 / 9)
    assert t.value("m12_antal", a, "total") == 10
    assert t.value("m12_arbete_uppfoljning_pct", a, "total") == pytest.approx(100)
    assert t.value("m24_antal", a, "total") == 0
    assert t.cell("m24_arbete_uppfoljning_pct", a, "total").value is None
    assert result.episodes == 10 and "10 av 15" in " ".join(result.notes)


def test_r8_costs_result_and_ratios():
    eps = build_frame(
        [
            {
                "person_key": f"p{i}",
                "sex": "K",
                "age_at_start": 30,
                "start_date": "2019-01-01",
                "end_date": "2019-06-01",
                "exit_reason": "ARB",
                "work_hours": 20.0,
                "study_hours": 0.0,
            }
            for i in range(10)
        ]
    )
    lines = build_frame(
        [
            {
                "association_code": "F1",
                "year": 2019,
                "line": "resource",
                "category": "state",
                "budget": 500,
                "actual": 500,
            },
            {
                "association_code": "F1",
                "year": 2019,
                "line": "resource",
                "category": "region",
                "budget": 250,
                "actual": 250,
            },
            {
                "association_code": "F1",
                "year": 2019,
                "line": "resource",
                "category": "misc",
                "budget": 10,
                "actual": 20,
            },
            {
                "association_code": "F1",
                "year": 2019,
                "line": "intervention_cost",
                "category": "esf",
                "intervention_code": "I1",
                "budget": 300,
                "actual": 200,
            },
            {
                "association_code": "F1",
                "year": 2019,
                "line": "intervention_cost",
                "category": "staff",
                "intervention_code": "I1",
                "budget": 300,
                "actual": 300,
            },
            {
                "association_code": "F1",
                "year": 2019,
                "line": "admin_cost",
                "category": "premises",
                "budget": 100,
                "actual": 100,
            },
            {
                "association_code": "F1",
                "year": 2018,
                "line": "admin_cost",
                "budget": 1,
                "actual": 1,
            },
        ],
        "budget_lines",
    )
    result = costs(lines, eps, ReportOptions(Y2019))
    t = result.table("kostnader")
    a = ("association", "F1:2019")
    assert [x.code for x in t.areas] == ["F1:2019"]
    assert t.value("resurser_totalt", a, "actual") == 770
    assert t.value("resurs_other", a, "actual") == 20
    assert t.value("insatskostnader_esf", a, "budget") == 300
    assert t.value("kostnader_totalt", a, "actual") == 600
    assert t.value("resultat", a, "actual") == 170
    assert t.value("deltagare", a, "actual") == 10
    assert t.value("kostnad_per_deltagare", a, "actual") == 60
    assert t.value("heltidsekvivalenter", a, "actual") == 5
    assert t.value("kostnad_per_heltidsekvivalent", a, "actual") == 120
    # with only 3 participants, the ratios are hidden
    small = costs(lines, eps.iloc[:3], ReportOptions(Y2019)).table("kostnader")
    assert small.display("kostnad_per_deltagare", a, "actual") == ".."
    assert small.display("resultat", a, "actual") == "170"


def test_report_csv_and_dict_are_consistent_and_json_serialisable():
    records = (
        exited(7, support_before=["FSS"], support_after=["ING"])
        + exited(4, sex="M", support_before=["AKA"], support_after=["AKA"])
        + exited(2, sex="M", support_before=["AKA"], support_after=["AKA"], person_key=None)
    )
    eps = build_frame(records)
    options = ReportOptions(Y2019, levels=("association", "country"))
    result = REPORTS["forsorjning-efter"](eps, options)
    text = report_csv(result, include_anonymity=True)
    header = text.splitlines()[0]
    assert header == "level,area_code,area_name,row,row_label,total,women,men"
    assert "\ncountry,SE,Riket,ING,Ingen offentlig försörjning,7,7,0\n" in text
    assert ".." in text
    data = report_to_dict(result)
    json.dumps(data)
    assert data["threshold"] == 5 and data["protected"] is True
    assert data["anonymous_episodes"] == ".."
    cell = data["tables"][0]["rows"][0]["areas"][0]["cells"]["total"]
    assert set(cell) == {"display", "value", "flag"}
    for table in data["tables"]:
        for row in table["rows"]:
            for area in row["areas"]:
                for c in area["cells"].values():
                    if c["flag"] in ("primary", "secondary", "derived"):
                        assert c["value"] is None and c["display"] == ".."


def test_empty_frame_gives_empty_tables():
    eps = build_frame([])
    result = REPORTS["utfall"](eps, ReportOptions(Period(date(2019, 1, 1), date(2019, 3, 31))))
    assert result.episodes == 0
    assert result.tables[0].areas == ()
    assert report_csv_rows(result) == []


def test_support_bits_used_in_frames():
    eps = build_frame(exited(1, support_before=["FSS", "AKS"]))
    assert eps.loc[0, "support_before_mask"] == support_bit("FSS") | support_bit("AKS")


def test_county_line_forces_secondary_suppression_across_associations():
    a = [{**r, "association_code": "A", "association_name": "A"} for r in exited(3)]
    a += [{**r, "association_code": "A", "association_name": "A"} for r in exited(10, sex="M")]
    b = [{**r, "association_code": "B", "association_name": "B"} for r in exited(20)]
    b += [{**r, "association_code": "B", "association_name": "B"} for r in exited(20, sex="M")]
    options = ReportOptions(Y2019, levels=("association", "county"))
    result = REPORTS["utfall"](build_frame(a + b), options)
    t = result.table("utfall")
    assert t.display("antal_avslutade", ("association", "A"), "women") == ".."
    # county women (23) − B women (20) would give A's 3 back: one of them is hidden too
    hidden = [
        t.cell("antal_avslutade", ("association", "B"), "women").hidden,
        t.cell("antal_avslutade", ("county", "01"), "women").hidden,
    ]
    assert any(hidden)
    assert recoverable_cells(t.protected) == []
    # without the county the associations are independent
    alone = REPORTS["utfall"](build_frame(a + b), ReportOptions(Y2019)).table("utfall")
    assert not alone.cell("antal_avslutade", ("association", "B"), "women").hidden


def test_intervention_level_and_age_split():
    records = [{**r, "intervention_code": "I1", "intervention_name": "Steg 1"} for r in exited(6)]
    records += [
        {**r, "intervention_code": "I2", "intervention_name": "Steg 2", "age_at_start": 17}
        for r in exited(7)
    ]
    options = ReportOptions(
        Y2019, levels=("intervention", "association"), split="sex_age", protected=False
    )
    t = REPORTS["utfall"](build_frame(records), options).table("utfall")
    assert [(a.level, a.code, a.name) for a in t.areas] == [
        ("intervention", "I1", "Steg 1"),
        ("intervention", "I2", "Steg 2"),
        ("association", "F1", "Förbund 1"),
    ]
    assert t.value("antal_avslutade", ("intervention", "I2"), "16–19") == 7
    assert t.value("antal_avslutade", ("association", "F1"), "30–39") == 6
    assert t.value("andel_under_30_vid_start_pct", ("association", "F1"), "16–19") == 100


_CODES = ["FSS", "AKS", "SJP", "ING", "STU", "ETA"]


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.lists(st.sampled_from(_CODES), max_size=3, unique=True),
            st.lists(st.sampled_from(_CODES), max_size=3, unique=True),
            st.sampled_from(["F1", "F2", "F3"]),
            st.sampled_from(["K", "M", "X"]),
            st.booleans(),
        ),
        max_size=40,
    )
)
def test_r3_flow_matrix_counts_every_combination_per_area(episodes):
    """The flow matrix equals a count, per area and before/after code pair, made by hand."""
    records = []
    for before, after, assoc, sex, in_period in episodes:
        records += exited(
            1,
            support_before=before,
            support_after=after,
            association_code=assoc,
            association_name=assoc,
            sex=sex,
            end_date="2019-06-01" if in_period else "2020-06-01",
        )
    options = ReportOptions(Y2019, levels=("association", "country"), protected=False)
    flow = support_after(build_frame(records), options).table("flodesmatris")

    def codes(chosen):
        return set(chosen) or {"SAK"}

    for area in flow.areas:
        for fc in (r.key for r in flow.rows):
            for tc in flow.columns:
                expected = sum(
                    1
                    for before, after, assoc, _sex, in_period in episodes
                    if in_period
                    and (area.level == "country" or assoc == area.code)
                    and fc in codes(before)
                    and tc in codes(after)
                )
                assert flow.value(fc, area, tc) == expected


def _attack(result):
    from tests.domain.attacker import breaches

    protected = result.tables[0].protected
    return breaches(protected, protected.lines, result.options.rule.threshold)


def test_r9_total_8_with_women_4_and_men_4_gives_nothing_back():
    """Issue 13: R9 ``m6_antal`` total 8, women "<5", men "<5" → both 4. With ".." and the
    audit (intervention + association side by side) no hidden cell is determined."""
    records = exited(4, sex="K", intervention_code="I1") + exited(
        4, sex="M", intervention_code="I2"
    )
    records += exited(30, sex="K", intervention_code="I3") + exited(
        30, sex="M", intervention_code="I3"
    )
    eps = build_frame(records)
    fu = build_frame(
        [
            {"episode_id": i, "months_after": 6, "support": ["ING"], "work_hours": 20.0}
            for i in range(1, 9)
        ],
        "followups",
    )
    options = ReportOptions(Y2019, levels=("intervention", "association"))
    result = followup(eps, fu, options)
    t = result.table("uppfoljning")
    a = ("association", "F1")
    assert t.display("m6_antal", a, "women") == t.display("m6_antal", a, "men") == ".."
    assert _attack(result) == []
    assert audit(t.protected) == []


def test_r1_unknown_sex_remainder_is_protected_at_country_level():
    """Issue 13: R1 country 233 − 133 − 96 = 4 participants of unknown sex."""
    records = exited(133, sex="K") + exited(96, sex="M") + exited(4, sex="X")
    result = REPORTS["utfall"](build_frame(records), ReportOptions(Y2019, levels=("country",)))
    t = result.table("utfall")
    se = ("country", "SE")
    assert t.cell("antal_avslutade", se, "okant_kon").flag.hidden
    shown = [t.value("antal_avslutade", se, c) for c in ("total", "women", "men")]
    assert None in shown  # one of them hidden, so 233 − 133 − 96 cannot be formed
    assert _attack(result) == []
    assert audit(t.protected) == []
