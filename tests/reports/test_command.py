"""``finsam report``: formats, protection by default, refusals with a Swedish one-line reason."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from finsam.domain.reports.export import CSV_COLUMNS, CSV_COLUMNS_WITH_LABEL

PERIOD = ["--from", "2025-01-01", "--to", "2025-12-31"]


def run(*args):
    out = io.StringIO()
    call_command("report", *args, stdout=out)
    return out.getvalue()


def test_csv_to_stdout_is_protected_by_default(registry):
    text = run("utfall", *PERIOD)
    rows = list(csv.reader(io.StringIO(text)))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert {r[1] for r in rows[1:]} == {"SBG", "OTH"}
    sbg = next(r for r in rows if r[1] == "SBG" and r[3] == "antal_avslutade")
    assert sbg[4:] == ["..", "..", ".."]


def test_row_label_layout_and_levels(registry):
    rows = list(
        csv.reader(io.StringIO(run("avslutningsanledningar", *PERIOD, "--level", "country")))
    )
    assert tuple(rows[0]) == CSV_COLUMNS_WITH_LABEL
    assert {(r[0], r[1], r[2]) for r in rows[1:]} == {("country", "SE", "Riket")}
    rows = list(
        csv.reader(io.StringIO(run("utfall", *PERIOD, "--level", "county", "--association", "SBG")))
    )
    assert {(r[0], r[1]) for r in rows[1:]} == {("association", "SBG"), ("county", "01")}


def test_unprotected_for_the_administrator_of_the_association(registry, tmp_path):
    out = tmp_path / "utfall.csv"
    call_command(
        "report", "utfall", *PERIOD, "--association", "SBG", "--unprotected",
        "--user", "association_admin", "--output", str(out),
    )  # fmt: skip
    rows = list(csv.reader(out.open(encoding="utf-8")))
    assert ["association", "SBG", "Samordningsförbundet Sundbyberg", "antal_avslutade", "3", "1",
            "1"] in rows  # fmt: skip


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (["--unprotected"], "--unprotected kräver --user"),
        (["--unprotected", "--user", "board_reader"], "Oskyddade tal"),
        (["--unprotected", "--user", "national_analyst"], "Oskyddade tal"),
        (["--unprotected", "--user", "association_admin", "--association", "OTH"], "OTH"),
        (["--unprotected", "--user", "association_admin", "--level", "county"], "Nivå"),
        (["--user", "nobody"], "ingen aktiv användare"),
        (["--format", "docx"], "--format: okänt format"),
        (["--level", "kommun"], "--level: okänd nivå"),
        (["--threshold", "noll"], "--threshold: ange ett heltal"),
        (["--threshold", "0"], "Tröskel"),
        (["--association", "NOPE"], "inget förbund med koden NOPE"),
    ],
)
def test_bad_input_fails_with_a_swedish_reason_and_writes_nothing(registry, tmp_path, args, reason):
    out = tmp_path / "r.csv"
    with pytest.raises(CommandError) as exc:
        call_command("report", "utfall", *PERIOD, *args, "--output", str(out))
    message = str(exc.value)
    assert reason in message and "\n" not in message
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_bad_name_and_dates(registry, tmp_path):
    out = tmp_path / "r.csv"
    cases = [
        (["okand", *PERIOD], "Okänd rapport"),
        (["utfall", "--from", "2025-13-01", "--to", "2025-12-31"], "--from: ange ett datum"),
        (["utfall", "--from", "2025-12-31", "--to", "2025-01-01"], "Periodens slutdatum"),
        (["utfall", "--from", "2003-01-01", "--to", "2003-12-31"], "lagens ikraftträdande"),
    ]
    for args, reason in cases:
        with pytest.raises(CommandError, match=reason):
            call_command("report", *args, "--output", str(out))
    assert not out.exists()


def test_every_format(registry, tmp_path):
    import openpyxl

    files = {}
    for fmt in ("csv", "xlsx", "pdf", "html", "json"):
        path = tmp_path / f"r.{fmt}"
        call_command("report", "utfall", *PERIOD, "--format", fmt, "--output", str(path))
        files[fmt] = path.read_bytes()
    assert files["pdf"].startswith(b"%PDF")
    data = json.loads(files["json"])
    assert data["protected"] is True and data["threshold"] == 5
    book = openpyxl.load_workbook(io.BytesIO(files["xlsx"]))
    assert book.sheetnames[-1] == "Definitioner" and len(book.sheetnames) == 3
    html = files["html"].decode()
    hidden = sum(v == ".." for r in csv.reader(io.StringIO(files["csv"].decode())) for v in r)
    table = html.split('class="table report"')[1].split("</table>")[0]
    assert table.count(">..<") == hidden > 0
    assert "uppgiften visas inte" in html


def test_threshold_changes_the_symbol(registry):
    text = run("utfall", *PERIOD, "--threshold", "3")
    assert ".." in text and "<5" not in text and "<3" not in text


def test_every_report_runs(registry):
    for name in (
        "forsorjning-fore",
        "forsorjning-efter",
        "sysselsattning",
        "deltagare",
        "uppfoljning",
    ):
        assert run(name, *PERIOD).startswith("level,area_code,area_name,row")
    data = json.loads(run("insatser", *PERIOD, "--format", "json"))
    assert data["code"] == "R7"
    data = json.loads(run("kostnader", *PERIOD, "--format", "json"))
    assert data["code"] == "R8" and data["tables"][0]["rows"]


def test_r7_and_r8_csv_keep_the_line_layout_with_their_own_columns(registry):
    rows = list(csv.reader(io.StringIO(run("insatser", *PERIOD))))
    assert rows[0] == [
        "level",
        "area_code",
        "area_name",
        "row",
        "individual",
        "structural",
        "total",
    ]
    aktiva = next(r for r in rows if r[1] == "SBG" and r[3] == "aktiva")
    assert aktiva[4:] == ["1", "1", "2"]  # intervention counts are never suppressed
    rows = list(csv.reader(io.StringIO(run("kostnader", *PERIOD))))
    assert rows[0] == ["level", "area_code", "area_name", "row", "budget", "actual"]
    assert next(r for r in rows if r[3] == "resurser_totalt")[:2] == ["association", "SBG:2025"]
