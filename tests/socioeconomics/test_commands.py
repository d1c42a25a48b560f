import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command

from .conftest import EXPECTED_MONTHS, PARAMETERS_CSV


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.fixture
def parameter_file(tmp_path):
    path = tmp_path / "parametrar.csv"
    path.write_text(PARAMETERS_CSV, encoding="utf-8")
    return path


def test_payback_csv_has_the_interchange_layout(world, flows_registry, parameter_file, tmp_path):
    target = tmp_path / "payback.csv"
    run(
        "payback",
        "--association", "SBG",
        "--from", "2025-01-01",
        "--to", "2025-12-31",
        "--parameters", str(parameter_file),
        "--output", str(target),
    )  # fmt: skip
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert list(rows[0]) == [
        "actor",
        "intervention_cost",
        "monthly_gain",
        "payback_months",
        "profit_1y",
        "profit_5y",
    ]
    by_actor = {r["actor"]: r for r in rows}
    assert by_actor["af"]["payback_months"] == ""  # never
    assert by_actor["af"]["monthly_gain"] == "-15000.00"
    assert by_actor["fk"]["payback_months"] == "15.0"
    assert by_actor["municipality"]["payback_months"] == f"{EXPECTED_MONTHS['municipality']:.1f}"
    assert by_actor["society"]["intervention_cost"] == "1200000.00"
    assert by_actor["municipality"]["profit_1y"] == f"{12 * 27_500 - 300_000:.2f}"


def test_payback_json_for_one_intervention(world, flows_registry, parameter_file):
    data = json.loads(
        run(
            "payback",
            "--association",
            "SBG",
            "--intervention",
            "SBG-IND",
            "--from",
            "2025-01-01",
            "--to",
            "2025-12-31",
            "--parameters",
            str(parameter_file),
            "--format",
            "json",
        )
    )
    assert data["intervention"] == "SBG-IND"
    assert data["participants"] == 3
    actors = {a["actor"]: a for a in data["actors"]}
    assert actors["af"]["payback_months"] is None
    assert actors["fk"]["payback_months"] == 15.0
    assert actors["fk"]["reference_payback_months"] == 20


def test_payback_uses_the_stored_table_by_default(world, flows_registry):
    text = run("payback", "--association", "SBG", "--from", "2025-01-01", "--to", "2025-12-31")
    rows = {r["actor"]: r for r in csv.DictReader(io.StringIO(text))}
    # The shipped defaults have rows for state and region, so those actors appear.
    assert {"municipality", "region", "fk", "af", "state", "society"} <= set(rows)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--association", "NOPE"], "inget förbund med koden 'NOPE'"),
        (["--association", "SBG", "--intervention", "OTH-IND"], "ingen insats med koden"),
        (["--association", "SBG", "--from", "2025-13-01"], "--from måste vara ett datum"),
        (["--association", "SBG", "--to", "2024-01-01"], "får inte vara före startdatumet"),
        (["--association", "SBG", "--persistence", "1.5"], "Varaktigheten per år"),
        (["--association", "SBG", "--parameters", "saknas.csv"], "finns inte"),
        (["--association", "OTH"], "Ingen insatskostnad finns i budgeten"),
    ],
)
def test_payback_bad_input_fails_in_swedish_without_output(
    world, flows_registry, tmp_path, args, message
):
    target = tmp_path / "out.csv"
    base = {"--from": "2025-01-01", "--to": "2025-12-31"}
    for i in range(0, len(args), 2):
        base[args[i]] = args[i + 1]
    flat = [x for pair in base.items() for x in pair]
    with pytest.raises(CommandError) as exc:
        run("payback", *flat, "--output", str(target))
    assert message in str(exc.value)
    assert "\n" not in str(exc.value)
    assert not target.exists()


def test_payback_bad_parameter_file_lists_every_problem(world, flows_registry, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("item,actor,monthly_sek\nFSS,kyrkan,100\nXYZ,fk,-5\n", encoding="utf-8")
    target = tmp_path / "out.csv"
    with pytest.raises(CommandError) as exc:
        run(
            "payback", "--association", "SBG", "--from", "2025-01-01", "--to", "2025-12-31",
            "--parameters", str(bad), "--output", str(target),
        )  # fmt: skip
    text = str(exc.value)
    assert "Okänd aktör 'kyrkan'" in text and "Okänd post 'XYZ'" in text and "negativt" in text
    assert not target.exists()


def test_exclusion_scenario_reproduces_sundbyberg(db, tmp_path):
    target = tmp_path / "scenario.json"
    run(
        "exclusion-scenario",
        "--annual-cost", "350000",
        "--intervention-cost", "500000",
        "--horizon", "5",
        "--people", "370",
        "--actor-shares", "fk=0.36,municipality=0.27,region=0.24,other=0.13",
        "--format", "json",
        "--output", str(target),
    )  # fmt: skip
    data = json.loads(target.read_text(encoding="utf-8"))
    assert data["savings_per_success"] == 1_750_000
    assert data["return_multiple"] == pytest.approx(3.5)
    assert data["break_even_success_rate"] == pytest.approx(500_000 / 1_750_000)
    assert data["break_even_one_in"] == pytest.approx(3.5)
    assert data["first_year_net"] == -150_000
    assert data["total_annual_cost"] == 350_000 * 370
    assert data["per_actor"]["fk"]["share"] == 0.36
    assert data["per_actor"]["fk"]["savings_per_success"] == pytest.approx(0.36 * 1_750_000)
    lifetime = json.loads(
        run(
            "exclusion-scenario",
            "--annual-cost",
            "350000",
            "--intervention-cost",
            "500000",
            "--horizon",
            "5",
            "--lifetime-cost",
            "15000000",
        )
    )
    assert lifetime["break_even_one_in"] == pytest.approx(30)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--annual-cost", "-1"], "Årskostnaden för utanförskap får inte vara negativ"),
        (["--annual-cost", "mycket"], "--annual-cost måste vara ett tal"),
        (["--horizon", "0"], "Tidshorisonten måste vara minst 1 år"),
        (["--horizon", "2.5"], "--horizon måste vara ett heltal"),
        (["--success-rate", "30"], "Andelen som lyckas måste vara mellan 0 och 100 %"),
        (["--actor-shares", "fk=0.5,municipality=0.4"], "summera till 100 %"),
        (["--actor-shares", "fk0.5"], "ange aktör=andel"),
    ],
)
def test_exclusion_scenario_bad_input(db, tmp_path, extra, message):
    target = tmp_path / "scenario.json"
    args = {"--annual-cost": "350000", "--intervention-cost": "500000", "--horizon": "5"}
    for i in range(0, len(extra), 2):
        args[extra[i]] = extra[i + 1]
    with pytest.raises(CommandError) as exc:
        run("exclusion-scenario", *[x for p in args.items() for x in p], "--output", str(target))
    assert message in str(exc.value)
    assert not target.exists()


def test_needs_reproduces_the_national_estimate(db, tmp_path):
    # The six national groups as register counts of one municipality.
    counts = {"NEET": 80_000, "FSS": 260_000, "AF": 372_200, "AKE": 37_600, "SJK": 400_000}
    counts["SJE_DELTID"] = 87_000
    source = tmp_path / "needs_input.csv"
    source.write_text(
        "municipality_code,group,count\n" + "".join(f"0180,{g},{n}\n" for g, n in counts.items()),
        encoding="utf-8",
    )
    rows = list(csv.DictReader(io.StringIO(run("needs", str(source), "--format", "csv"))))
    assert list(rows[0]) == [
        "level",
        "area_code",
        "area_name",
        "group",
        "count",
        "share",
        "estimate",
    ]
    total = next(r for r in rows if r["level"] == "country" and r["group"] == "TOTAL")
    assert float(total["estimate"]) == 483_350  # printed as 483 300 in the source
    assert {r["level"] for r in rows} == {"municipality", "county", "country"}
    assert next(r for r in rows if r["level"] == "municipality")["area_name"] == "Stockholm"


def test_needs_with_shares_and_participants(world, flows_registry, tmp_path):
    source = tmp_path / "needs_input.csv"
    source.write_text("municipality_code,group,count\n0183,FSS,100\n0183,NEET,20\n", "utf-8")
    shares = tmp_path / "shares.csv"
    shares.write_text("group,share\nFSS,0.5\n", encoding="utf-8")
    text = run("needs", str(source), "--shares", str(shares), "--participants-year", "2025")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0])[-2:] == ["participants", "coverage"]
    assoc = next(r for r in rows if r["level"] == "association" and r["group"] == "TOTAL")
    assert assoc["area_code"] == "SBG"
    assert float(assoc["estimate"]) == 100 * 0.5 + 20 * 1.0
    # A, B and C live in 0183 (SBG); the other association's anonymous episode too (home 0183).
    assert assoc["participants"] == "4"
    assert float(assoc["coverage"]) == pytest.approx(4 / 70, abs=1e-4)


@pytest.mark.parametrize(
    ("content", "extra", "message"),
    [
        ("municipality_code,group,count\n9999,FSS,1\n", [], "Okänd kommunkod '9999'"),
        ("municipality_code,group,count\n0183,XX,1\n", [], "Okänd grupp 'XX'"),
        ("municipality_code,group,count\n0183,FSS,-1\n", [], "får inte vara negativt"),
        ("kommun,group,count\n0183,FSS,1\n", [], "Okänd kolumn 'kommun'"),
        ("municipality_code,group,count\n0183,FSS,1\n", ["--participants-year", "år"], "heltal"),
    ],
)
def test_needs_bad_input(db, tmp_path, content, extra, message):
    source = tmp_path / "in.csv"
    source.write_text(content, encoding="utf-8")
    target = tmp_path / "out.csv"
    with pytest.raises(CommandError) as exc:
        run("needs", str(source), *extra, "--output", str(target))
    assert message in str(exc.value)
    assert not target.exists()


def test_needs_bad_shares_file(db, tmp_path):
    source = tmp_path / "in.csv"
    source.write_text("municipality_code,group,count\n0183,FSS,1\n", encoding="utf-8")
    shares = tmp_path / "s.csv"
    shares.write_text("group,share\nFSS,80\n", encoding="utf-8")
    with pytest.raises(CommandError) as exc:
        run("needs", str(source), "--shares", str(shares))
    assert "mellan 0 och 1" in str(exc.value)


def test_commands_run_through_the_finsam_entry_point_with_a_swedish_reason(tmp_path):
    from tests.registry.test_commands import _run

    result = _run(
        ["exclusion-scenario", "--annual-cost", "-5", "--intervention-cost", "1", "--horizon", "5"],
        {},
        tmp_path,
    )
    assert result.returncode != 0
    assert "får inte vara negativ" in result.stderr
