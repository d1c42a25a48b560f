"""Rebuild micro data reproducing the published Stockholm tables; get the same numbers back."""

from collections import defaultdict
from datetime import date

import pytest

from finsam.domain.reports.core import Period, ReportOptions
from finsam.domain.reports.export import report_csv_rows
from finsam.domain.reports.frame import build_frame
from finsam.domain.reports.participants import interventions_report, participants
from finsam.domain.reports.standard import exit_reasons, support_before
from tests.domain.reports.conftest import read_published

SUPPORT_LABELS = {
    "Sjukpenning/Rehabpenning": "SJP",
    "Aktivitetsersättning": "AKE",
    "Sjukersättning": "SJE",
    "A-kassa": "AKA",
    "Aktivitetsstöd": "AKS",
    "Försörjningsstöd": "FSS",
    "Studiestöd/Studiemedel": "STU",
    "Annan offentlig försörjning": "AOF",
    "Ingen offentlig försörjning": "ING",
}
EXIT_LABELS = {
    "Utskrivning (egen försörjning genom arbete eller studier)": "UTSKRIVNING",
    "Utskrivning - fortsatt rehabilitering": "REH",
    "Utskrivning på grund av sjukdom": "SJK",
    "Utskrivning på grund av föräldraledighet": "FOR",
    "Utskrivning på grund av flytt": "FLY",
    "Utskrivning - utan uppgift": "UTU",
    "Övrigt": "OVR",
}
ASSOCIATIONS = [
    "Botkyrka Huddinge Salem",
    "Stockholms stad",
    "Östra Södertörn",
    "Södertälje",
    "Värna",
    "Gotland",
    "Södra Roslagen",
]


def assoc(name: str) -> dict:
    code = f"F{ASSOCIATIONS.index(name) + 1:02d}"
    county = ("09", "Gotlands län") if name == "Gotland" else ("01", "Stockholms län")
    return {
        "association_code": code,
        "association_name": name,
        "county_code": county[0],
        "county_name": county[1],
        "intervention_code": f"{code}-I1",
        "intervention_name": f"Insats {name}",
    }


def code_of(name: str) -> str:
    return assoc(name)["association_code"]


class Ids:
    def __init__(self):
        self.n = 0

    def __call__(self) -> int:
        self.n += 1
        return self.n


def noise(name: str, ids: Ids, year: int) -> list[dict]:
    """Episodes every report must leave out: FEL, structural, volume, outside the period."""
    base = assoc(name)
    return [
        {
            **base,
            "episode_id": ids(),
            "sex": "K",
            "age_at_start": 30,
            "start_date": f"{year}-03-01",
            "end_date": f"{year}-04-01",
            "exit_reason": "FEL",
            "support_before": ["FSS"],
            "support_after": ["FSS"],
        },
        {
            **base,
            "episode_id": ids(),
            "sex": "M",
            "age_at_start": 30,
            "orientation": "structural",
            "start_date": f"{year}-03-01",
            "end_date": f"{year}-05-01",
            "exit_reason": "ARB",
            "support_before": ["SJP"],
        },
        {
            **base,
            "episode_id": ids(),
            "sex": "M",
            "age_at_start": 30,
            "registration": "volume",
            "start_date": f"{year}-03-01",
            "end_date": f"{year}-05-01",
            "exit_reason": "REH",
            "support_before": ["AKS"],
        },
        {
            **base,
            "episode_id": ids(),
            "sex": "K",
            "age_at_start": 30,
            "start_date": f"{year + 1}-01-01",
            "end_date": f"{year + 1}-02-01",
            "exit_reason": "REH",
            "support_before": ["FSS"],
        },
        {
            **base,
            "episode_id": ids(),
            "sex": "K",
            "age_at_start": 30,
            "start_date": f"{year - 2}-01-01",
            "end_date": f"{year - 1}-12-31",
            "exit_reason": "REH",
            "support_before": ["FSS"],
        },
    ]


def stockholm_2016_support_before_episodes() -> list[dict]:
    """One episode per published count, FSS+AKS combined where both occur; ETA for half of AOF."""
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    for r in read_published("stockholm_2016_forsorjning_fore.csv"):
        counts[r["forbund"]][SUPPORT_LABELS[r["forsorjning"]]] = int(r["antal"])
    ids = Ids()
    records = []
    for name, by_code in counts.items():
        slots: list[list[str]] = []
        both = min(by_code["FSS"], by_code["AKS"]) // 3
        slots += [["FSS", "AKS"]] * both
        remaining = dict(by_code)
        remaining["FSS"] -= both
        remaining["AKS"] -= both
        eta = remaining["AOF"] // 2
        remaining["AOF"] -= eta
        slots += [["ETA"]] * eta
        for code, n in remaining.items():
            slots += [[code]] * n
        for i, codes in enumerate(slots):
            records.append(
                {
                    **assoc(name),
                    "episode_id": ids(),
                    "person_key": None if i % 7 == 0 else f"{name}-{i}",
                    "sex": "KMX"[i % 3] if i % 11 else "X",
                    "age_at_start": 18 + i % 40,
                    "start_date": date(2016, 1 + i % 12, 1 + i % 28),
                    "support_before": codes,
                }
            )
        records += noise(name, ids, 2016)
    return records


def test_r2_reproduces_stockholm_2016_support_before():
    df = build_frame(stockholm_2016_support_before_episodes())
    result = support_before(df, ReportOptions(Period.year(2016), protected=False))
    table = result.table("forsorjning_fore")
    published = read_published("stockholm_2016_forsorjning_fore.csv")
    totals: dict[str, int] = defaultdict(int)
    for r in published:
        area = ("association", code_of(r["forbund"]))
        code = SUPPORT_LABELS[r["forsorjning"]]
        value = table.value(code, area, "total")
        if code == "AOF":  # the published table has no ETA: map ETA into AOF
            value += table.value("ETA", area, "total")
        assert value == int(r["antal"]), (r, value)
        totals[r["forbund"]] += int(r["antal"])
    for name, total in totals.items():
        area = ("association", code_of(name))
        assert table.value("summa_koder", area, "total") == total
        # parallel codes: fewer episodes than codes, and the report says how many are anonymous
        assert table.value("antal_episoder", area, "total") < total
        anon = result.table("anonymitet").value("antal_anonyma_episoder", area, "total")
        assert anon > 0
    assert result.anonymous_episodes > 0
    # the CSV layout carries the same numbers
    rows = report_csv_rows(result)
    fss = next(
        r for r in rows if r["area_code"] == code_of("Östra Södertörn") and r["row"] == "FSS"
    )
    assert fss["total"] == "142"
    assert fss["row_label"] == "Försörjningsstöd/Ekonomiskt bistånd"


def test_r2_protected_hides_small_stockholm_cells_and_keeps_zero():
    df = build_frame(stockholm_2016_support_before_episodes())
    result = support_before(df, ReportOptions(Period.year(2016)))
    table = result.table("forsorjning_fore")
    roslagen = ("association", code_of("Södra Roslagen"))
    assert table.display("SJP", roslagen, "total") == ".."  # published 3
    assert table.display("AKA", ("association", code_of("Södertälje")), "total") == "0"
    assert table.display("FSS", ("association", code_of("Östra Södertörn")), "total") == "142"


def stockholm_2016_exit_episodes() -> list[dict]:
    ids = Ids()
    records = []
    for r in read_published("stockholm_2016_avslutningsanledningar.csv"):
        code = EXIT_LABELS[r["avslutningsanledning"]]
        n = int(r["antal"])
        reasons = (
            ["ARB"] * (n - n // 3) + ["STU"] * (n // 3) if code == "UTSKRIVNING" else [code] * n
        )
        for i, reason in enumerate(reasons):
            records.append(
                {
                    **assoc(r["forbund"]),
                    "episode_id": ids(),
                    "person_key": None if i % 5 == 0 else f"{r['forbund']}-{code}-{i}",
                    "sex": "KM"[i % 2],
                    "age_at_start": 25,
                    "start_date": date(2015, 1 + i % 12, 1),
                    "end_date": date(2016, 1 + i % 12, 1 + i % 28),
                    "exit_reason": reason,
                    "support_after": ["ING"],
                }
            )
    for name in ASSOCIATIONS:
        records += noise(name, ids, 2016)
    return records


def test_r4_reproduces_stockholm_2016_exit_reasons():
    df = build_frame(stockholm_2016_exit_episodes())
    result = exit_reasons(df, ReportOptions(Period.year(2016), protected=False))
    table = result.table("avslutningsanledningar")
    published = read_published("stockholm_2016_avslutningsanledningar.csv")
    seen = {
        (r["forbund"], EXIT_LABELS[r["avslutningsanledning"]]): int(r["antal"]) for r in published
    }
    for area in table.areas:
        name = area.name
        total = 0
        for code in EXIT_LABELS.values():
            assert table.value(code, area, "total") == seen.get((name, code), 0), (name, code)
            total += seen.get((name, code), 0)
        assert table.value("TOTALT", area, "total") == total
        assert table.value("UTSKRIVNING", area, "total") == table.value(
            "ARB", area, "total"
        ) + table.value("STU", area, "total")
        assert table.value("SAK", area, "total") == 0
        assert table.value("AVB", area, "total") == 0


def stockholm_2017_frames():
    interventions = []
    episodes = []
    ids = Ids()
    published = read_published("stockholm_2017_insatser.csv")
    by = {(r["forbund"], r["matt"]): r for r in published}
    for name in ASSOCIATIONS:
        code = code_of(name)
        for orientation, column in (
            ("individual", "individinriktade"),
            ("structural", "strukturovergripande"),
        ):
            active = int(by[(name, "pagaende_2017")][column])
            started = int(by[(name, "paborjade_2016_2017")][column])
            both = min(active, started)
            plan = (
                [("2016-06-01", None)] * both
                + [("2014-01-01", None)] * (active - both)
                + [("2016-02-01", "2016-10-31")] * (started - both)
                + [("2012-01-01", "2015-12-31")]  # ended before: in neither measure
            )
            for i, (start, end) in enumerate(plan):
                interventions.append(
                    {
                        "intervention_code": f"{code}-{orientation[0]}{i}",
                        "association_code": code,
                        "name": f"{name} {orientation} {i}",
                        "orientation": orientation,
                        "registration": "persons" if orientation == "individual" else "volume",
                        "start_date": start,
                        "end_date": end,
                        "status": "ongoing" if end is None else "ended",
                        "planned_participants": 10,
                        "target_groups": ["UNG", "PSY"] if i % 2 else ["LAL"],
                    }
                )
        persons = int(by[(name, "deltagare_2017")]["totalt"])
        for p in range(persons):
            base = {**assoc(name), "intervention_code": f"{code}-i0"}
            person = None if p % 9 == 0 else f"{name}-{p}"
            episodes.append(
                {
                    **base,
                    "episode_id": ids(),
                    "person_key": person,
                    "sex": "KM"[p % 2],
                    "age_at_start": 20 + p % 45,
                    "start_date": "2016-09-01",
                    "end_date": "2017-02-01" if p % 3 else None,
                    "exit_reason": "ARB" if p % 3 else None,
                }
            )
            if person and p % 4 == 0:  # a second episode of the same person in 2017
                episodes.append(
                    {
                        **base,
                        "episode_id": ids(),
                        "person_key": person,
                        "sex": "KM"[p % 2],
                        "age_at_start": 21 + p % 45,
                        "start_date": "2017-03-01",
                        "end_date": None,
                    }
                )
        if persons:
            episodes += noise(name, ids, 2017)
            episodes.append(  # ended in 2016: not a 2017 participant
                {
                    **assoc(name),
                    "episode_id": ids(),
                    "person_key": f"{name}-old",
                    "sex": "K",
                    "age_at_start": 40,
                    "start_date": "2016-01-01",
                    "end_date": "2016-12-31",
                    "exit_reason": "REH",
                }
            )
    return build_frame(interventions, "interventions"), build_frame(episodes)


def test_r7_reproduces_stockholm_2017_interventions():
    iv, eps = stockholm_2017_frames()
    active = interventions_report(iv, eps, ReportOptions(Period.year(2017), protected=False))
    started = interventions_report(
        iv, eps, ReportOptions(Period(date(2016, 1, 1), date(2017, 12, 31)), protected=False)
    )
    table_a = active.table("insatser")
    table_s = started.table("insatser")
    for r in read_published("stockholm_2017_insatser.csv"):
        area = ("association", code_of(r["forbund"]))
        for col, pub in (
            ("individual", "individinriktade"),
            ("structural", "strukturovergripande"),
            ("total", "totalt"),
        ):
            if r["matt"] == "pagaende_2017":
                assert table_a.value("aktiva", area, col) == int(r[pub]), (r, col)
            elif r["matt"] == "paborjade_2016_2017":
                assert table_s.value("startade", area, col) == int(r[pub]), (r, col)
            else:
                assert table_a.value("faktiska_deltagare", area, col) == int(r[pub]), (r, col)


def test_r6_reproduces_stockholm_2017_participants():
    _iv, eps = stockholm_2017_frames()
    result = participants(eps, ReportOptions(Period.year(2017), protected=False))
    table = result.table("deltagare")
    shown = {a.name: a for a in table.areas}
    for r in read_published("stockholm_2017_insatser.csv"):
        if r["matt"] != "deltagare_2017":
            continue
        expected = int(r["totalt"])
        if expected == 0:
            assert r["forbund"] not in shown
            continue
        area = shown[r["forbund"]]
        assert table.value("personer_aktiva", area, "total") == expected
        # second episodes make episodes > persons; every anonymous episode is a person
        assert table.value("episoder_aktiva", area, "total") > expected
        assert table.value("anonyma_episoder_aktiva", area, "total") == len(range(0, expected, 9))


@pytest.mark.parametrize("threshold", [3, 5, 10])
def test_r4_protection_threshold_applies_to_csv(threshold):
    from finsam.domain.protection import ProtectionRule

    df = build_frame(stockholm_2016_exit_episodes())
    rule = ProtectionRule.for_threshold(threshold)
    result = exit_reasons(df, ReportOptions(Period.year(2016), rule=rule))
    rows = report_csv_rows(result)
    for row in rows:
        for col in ("total", "women", "men"):
            v = row[col]
            assert v == rule.symbol or v == "0" or int(v) >= threshold or int(v) > 0
            if v not in (rule.symbol,) and 0 < int(v) < threshold:
                pytest.fail(f"unprotected small cell {row}")


def test_r7_rejects_levels_it_does_not_have():
    from finsam.domain.problems import DomainValidationError

    iv, eps = stockholm_2017_frames()
    with pytest.raises(DomainValidationError) as err:
        interventions_report(iv, eps, ReportOptions(Period.year(2017), levels=("county",)))
    assert err.value.problems[0].rule == "report.level_r7"
    result = interventions_report(
        iv, eps, ReportOptions(Period.year(2017), levels=("association", "country"))
    )
    table = result.table("insatser")
    assert table.value("aktiva", ("country", "SE"), "total") == sum(
        table.value("aktiva", a, "total") for a in table.areas if a.level == "association"
    )
    assert result.episodes > 0 and result.anonymous_episodes > 0


def stockholm_2016_change_episodes() -> list[dict]:
    """Exited episodes whose after − before per support code is the published change.

    Unlike the source (different persons before and after), these are true flows: each episode
    moves a person from a code that decreased to one that increased; an unpaired unit is carried
    by an episode that also keeps ING (or FSS) on both sides, so that code's net is 0.
    """
    labels = {**SUPPORT_LABELS, "Uppgift saknas": "SAK"}
    change: dict[str, dict[str, int]] = defaultdict(dict)
    for r in read_published("stockholm_2016_forandring_efter.csv"):
        change[r["forbund"]][labels[r["forsorjning"]]] = int(r["forandring"])
    ids = Ids()
    records = []
    for name, by_code in change.items():
        plus = [c for c, v in by_code.items() if v > 0 for _ in range(v)]
        minus = [c for c, v in by_code.items() if v < 0 for _ in range(-v)]
        pairs = []
        while plus and minus:
            pairs.append(([minus.pop()], [plus.pop()]))
        keep = {p: "FSS" if p == "ING" else "ING" for p in (*plus, *minus)}  # net 0 on both sides
        pairs += [([keep[p]], [keep[p], p]) for p in plus]
        pairs += [([keep[m], m], [keep[m]]) for m in minus]
        for i, (before, after) in enumerate(pairs):
            records.append(
                {
                    **assoc(name),
                    "episode_id": ids(),
                    "person_key": None if i % 6 == 0 else f"{name}-{i}",
                    "sex": "KM"[i % 2],
                    "age_at_start": 30,
                    "start_date": "2015-06-01",
                    "end_date": date(2016, 1 + i % 12, 10),
                    "exit_reason": "REH",
                    "support_before": before,
                    "support_after": after,
                }
            )
        records += noise(name, ids, 2016)
    return records


def test_r3_change_reproduces_stockholm_2016_as_a_true_flow():
    from finsam.domain.reports.standard import support_after

    records = stockholm_2016_change_episodes()
    result = support_after(build_frame(records), ReportOptions(Period.year(2016), protected=False))
    change = result.table("forandring")
    labels = {**SUPPORT_LABELS, "Uppgift saknas": "SAK"}
    published = {
        (r["forbund"], labels[r["forsorjning"]]): int(r["forandring"])
        for r in read_published("stockholm_2016_forandring_efter.csv")
    }
    for area in change.areas:
        for code in (*labels.values(), "ETA"):
            # cells blank in the source are 0
            assert change.value(code, area, "total") == published.get((area.name, code), 0), (
                area.name,
                code,
            )
    # the flow matrix adds up: every episode leaves its before codes for its after codes
    flow = result.table("flodesmatris")
    area = change.area(code_of("Östra Södertörn"))
    out_of_fss = sum(flow.value("FSS", area, c) for c in flow.columns)
    assert out_of_fss == result.table("fore").value("FSS", area, "total")
