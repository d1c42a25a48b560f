"""budget_lines.csv: all-or-nothing import, idempotent re-import, error report, export, command."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from finsam.audit.models import AuditLog
from finsam.finance.interchange import export_budget_lines, import_budget_lines
from finsam.finance.models import BudgetLine

HEADER = "association_code,year,line,category,intervention_code,budget,actual\n"


def good_file(world) -> bytes:
    return (
        HEADER
        + "SBG,2019,resource,FK,,1000000,1000000\n"
        + "SBG,2019,resource,01,,500000,\n"
        + "SBG,2019,resource,0183,,500000,\n"
        + "SBG,2019,admin_cost,DIRECTOR,,829980,829980\n"
        + f"SBG,2019,intervention_cost,,{world['persons'].code},600000,540000\n"
        + f"SBG,2019,intervention_cost,ESF,{world['persons'].code},150000,\n"
    ).encode()


def test_import_then_reimport_is_idempotent(world):
    admin = world["users"]["association_admin"]
    first = import_budget_lines(good_file(world), actor=admin)
    assert (first.created, first.updated, first.unchanged, first.problems) == (6, 0, 0, [])
    assert BudgetLine.objects.count() == 6
    again = import_budget_lines(good_file(world), actor=admin)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 6)
    changed = good_file(world).replace(b"0183,,500000,", b"0183,,500000,480000")
    third = import_budget_lines(changed, actor=admin)
    assert (third.created, third.updated, third.unchanged) == (0, 1, 5)
    assert BudgetLine.objects.count() == 6
    assert BudgetLine.objects.get(category="0183").actual == 480_000
    # one audit row per association-year that changed
    assert AuditLog.objects.filter(action="budget_lines_import").count() == 2


def test_one_bad_row_imports_nothing_and_reports_every_problem(world):
    bad = good_file(world) + b"SBG,2019,resource,XYZ,,1 000,\nSBG,20x9,admin_cost,CAKE,,5,\n"
    summary = import_budget_lines(bad, actor=world["users"]["association_admin"])
    assert summary.created == 0 and BudgetLine.objects.count() == 0
    report = {(p.row, p.field, p.rule) for p in summary.problems}
    # the line a spreadsheet shows: the header is line 1
    assert (8, "budget", "file.not_a_number") in report
    assert (9, "year", "file.not_a_year") in report
    assert (8, "category", "budget.unknown_funder") in report  # every problem in one run
    assert (9, "category", "budget.unknown_cost_type") in report
    message = next(p for p in summary.problems if p.rule == "file.not_a_number").message
    assert "Rad 8" in message and "decimalpunkt" in message
    # the registry's rules too: unknown association, intervention of another association
    foreign = world["other_persons"].code
    other = HEADER + f"OKANT,2019,resource,FK,,1,\nSBG,2019,intervention_cost,,{foreign},1,\n"
    summary = import_budget_lines(other.encode(), actor=None)
    assert {p.rule for p in summary.problems} == {
        "budget.unknown_association",
        "budget.intervention_other_association",
    }
    assert BudgetLine.objects.count() == 0


def test_unknown_column_and_duplicate_rows(world):
    summary = import_budget_lines((HEADER.strip() + ",extra\n").encode(), actor=None)
    assert [p.rule for p in summary.problems] == ["file.unknown_column"]
    dup = HEADER + "SBG,2019,resource,FK,,1,\nSBG,2019,resource,FK,,2,\n"
    summary = import_budget_lines(dup.encode(), actor=None)
    assert [(p.row, p.rule) for p in summary.problems] == [(3, "budget.duplicate_line")]
    assert "dubblett av rad 2" in summary.problems[0].message
    blank_line = HEADER + "\nSBG,2019,resource,FK,,1,\nSBG,2019,resource,FK,,2,\n"
    summary = import_budget_lines(blank_line.encode(), actor=None)
    assert [(p.row, p.rule) for p in summary.problems] == [(4, "budget.duplicate_line")]


def test_dry_run_writes_nothing(world):
    summary = import_budget_lines(good_file(world), actor=None, dry_run=True)
    assert summary.created == 6 and summary.problems == []
    assert BudgetLine.objects.count() == 0


def test_permission_predicate_refuses_other_associations(world):
    admin = world["users"]["association_admin"]
    data = HEADER + "OTH,2019,resource,FK,,1,\n"
    summary = import_budget_lines(
        data.encode(), actor=admin, allowed=lambda a: a == world["association"]
    )
    assert [p.rule for p in summary.problems] == ["permission.association"]
    assert BudgetLine.objects.count() == 0


def test_export_round_trips(world):
    import_budget_lines(good_file(world), actor=None)
    rows = export_budget_lines(association=world["association"])
    assert len(rows) == 6
    assert rows[0] == {
        "association_code": "SBG",
        "year": "2019",
        "line": "admin_cost",
        "category": "DIRECTOR",
        "intervention_code": "",
        "budget": "829980",
        "actual": "829980",
    }
    assert export_budget_lines(association=world["other"]) == []


def test_budget_lines_command(world, tmp_path):
    path = tmp_path / "budget_lines.csv"
    path.write_bytes(good_file(world))
    out = io.StringIO()
    call_command("budget-lines", "import", str(path), "--dry-run", stdout=out)
    assert "6 nya" in out.getvalue() and BudgetLine.objects.count() == 0
    call_command("budget-lines", "import", str(path), "--user", "association_admin", stdout=out)
    assert BudgetLine.objects.count() == 6
    target = tmp_path / "ut.csv"
    call_command("budget-lines", "export", "--output", str(target), "--association", "SBG")
    with target.open(encoding="utf-8") as fh:
        assert len(list(csv.DictReader(fh))) == 6
    out = io.StringIO()
    call_command("budget-lines", "export", "--year", "2019", stdout=out)
    assert (
        out.getvalue().splitlines()[0]
        == "association_code,year,line,category,intervention_code,budget,actual"
    )
    assert len(out.getvalue().splitlines()) == 7
    with pytest.raises(CommandError):
        call_command("budget-lines", "export", "--association", "NOPE")
    # exported file re-imports unchanged
    out = io.StringIO()
    call_command("budget-lines", "import", str(target), stdout=out)
    assert "0 nya, 0 ändrade, 6 oförändrade" in out.getvalue()


def test_budget_lines_command_bad_input(world, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(HEADER + "SBG,2019,resource,XYZ,,1,\n", encoding="utf-8")
    errors = tmp_path / "fel.csv"
    with pytest.raises(CommandError) as exc:
        call_command(
            "budget-lines", "import", str(path), "--errors", str(errors), stderr=io.StringIO()
        )
    assert "inget har lästs in" in str(exc.value) and "\n" not in str(exc.value)
    report = list(csv.DictReader(errors.open(encoding="utf-8")))
    assert report[0]["row"] == "2" and report[0]["rule"] == "budget.unknown_funder"
    assert report[0]["column"] == "category" and report[0]["value"] == "XYZ"
    with pytest.raises(CommandError):
        call_command("budget-lines", "import", str(path), "--user", "nobody")
    with pytest.raises(CommandError):
        call_command("budget-lines", "import", str(tmp_path / "missing.csv"))
    # the board reader may not change the budget
    ok = tmp_path / "ok.csv"
    ok.write_text(HEADER + "SBG,2019,resource,FK,,1,\n", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command(
            "budget-lines", "import", str(ok), "--user", "board_reader", stderr=io.StringIO()
        )
    assert BudgetLine.objects.count() == 0


def test_finsam_export_budget_lines_imports_into_an_empty_table_and_exports_identically(
    world, tmp_path
):
    from finsam.finance.models import AssociationYear

    import_budget_lines(good_file(world), actor=None)
    first, again = tmp_path / "first.csv", tmp_path / "again.csv"
    call_command("export", "budget-lines", "--output", str(first), stdout=io.StringIO())
    BudgetLine.objects.all().delete()
    AssociationYear.objects.all().delete()
    call_command("import", "budget-lines", str(first), stdout=io.StringIO())
    call_command("export", "budget-lines", "--output", str(again), stdout=io.StringIO())
    assert again.read_bytes() == first.read_bytes()
    assert BudgetLine.objects.count() == 6
