"""``finsam import budget-lines`` / ``finsam export budget-lines`` per interchange.md."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from finsam.finance.models import BudgetLine

HEADER = "association_code,year,line,category,intervention_code,budget,actual\n"


def test_import_and_export_budget_lines_through_the_generic_commands(world, tmp_path):
    good = tmp_path / "budget_lines.csv"
    good.write_text(
        HEADER + "SBG,2025,resource,FK,,1000000,\n"
        "SBG,2025,intervention_cost,,SBG-IND,400000,380000\n",
        encoding="utf-8",
    )
    call_command("import", "budget-lines", str(good), stdout=StringIO(), stderr=StringIO())
    assert BudgetLine.objects.count() == 2
    call_command("import", "budget-lines", str(good), stdout=StringIO(), stderr=StringIO())
    assert BudgetLine.objects.count() == 2  # idempotent
    out = tmp_path / "out.csv"
    call_command("export", "budget-lines", "--output", str(out), stdout=StringIO())
    text = out.read_text(encoding="utf-8")
    assert text.splitlines()[0] == HEADER.strip()
    assert "SBG-IND" in text


def test_a_bad_budget_line_imports_nothing(world, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(
        HEADER + "SBG,2025,resource,FK,,1000000,\nSBG,2025,resource,XX,,-5,\n", encoding="utf-8"
    )
    with pytest.raises(CommandError):
        call_command("import", "budget-lines", str(bad), stdout=StringIO(), stderr=StringIO())
    assert BudgetLine.objects.count() == 0
