"""The annual report material: the document, its figures against the reports' and the budget
page's, docx and PDF."""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import date

import pytest
from django.core.management import call_command

from finsam.domain.reports.core import Period
from finsam.finance import selectors as finance_selectors
from finsam.planning import annual, documents
from finsam.reports import render as rr
from finsam.reports import runner

TODAY = date(2026, 11, 22)


@pytest.fixture
def enrolled(year_world, enrol):
    from tests.conftest import PNR_MAN

    enrol(start_date=date(2019, 2, 1))
    enrol(start_date=date(2019, 3, 1), personal_number=PNR_MAN)
    return year_world


def test_document_has_sections_and_association_facts(enrolled):
    assoc = enrolled["association"]
    d = annual.build_document(None, assoc, 2019, today=TODAY)
    headings = d.headings()
    for h in ("Förbundet", "Insatser", "Deltagare och resultat", "Ekonomi", "Utfall (R1)"):
        assert h in headings
    board = d.table("Styrelse och ersättare")
    assert ("Anna Ordförande", "Ledamot, ordförande", "Kommunen") in board.rows
    assert board.note == "3 ledamöter och 1 ersättare under 2019."
    members = {r[0] for r in d.table("Medlemmar").rows}
    assert members == {"Försäkringskassan", "Arbetsförmedlingen", "Regionen", "Kommunen"}


def test_figures_equal_the_reports_and_the_budget_page(enrolled):
    """Every report table in the document is the report page's table for the same association
    and year, cell by cell; the finance figures are the budget page's."""
    assoc = enrolled["association"]
    d = annual.build_document(None, assoc, 2019, today=TODAY)
    for name in annual.REPORTS_USED:
        if name == "kostnader":
            continue  # quoted in the key ratios, below
        plan = runner.plan_report(
            None, name, period=Period.year(2019), association_codes=(assoc.code,)
        )
        result = runner.run_report(plan, with_quality=False).result
        for table in result.tables:
            ctx = rr.table_context(table)
            mine = d.table(f"{result.code} {table.title}")
            assert [list(r[1:]) for r in mine.rows] == [r["cells"] for r in ctx["rows"]]
            assert [r[0] for r in mine.rows] == [r["label"] for r in ctx["rows"]]
    o = finance_selectors.budget_overview(assoc, 2019, today=TODAY)
    t = o["totals"]
    rows = {r[0]: r[1:] for r in d.table("Budget och utfall").rows}
    assert rows["Intäkter (utan eget kapital)"] == (
        annual.sek(t["budget"]["revenue"]),
        annual.sek(t["actual"]["revenue"]),
    )
    assert rows["Resultat"] == ("110\xa0020", annual.sek(t["actual"]["result"]))
    ratios = {r[0]: r[1:] for r in d.table("Nyckeltal").rows}
    # hand-computed: admin 1 089 980 of 1 889 980 = 57,7 %; 600 000 / 30 planned = 20 000;
    # 2 000 000 / 30 000 inhabitants = 66,67
    assert ratios["Administrationens andel av kostnaderna"][0] == "57,7 %"
    assert ratios["Insatskostnad per deltagare, individinriktade insatser (kr)"][0] == "20\xa0000"
    assert ratios["Intäkter per invånare 16–64 år (kr)"] == ("67", "67")
    # two participants < threshold 5: the actual cost per participant is hidden as in R8
    r8 = runner.run_report(
        runner.plan_report(None, "kostnader", period=Period.year(2019), association_codes=("SBG",)),
        with_quality=False,
    ).result.tables[0]
    area = r8.area("SBG:2019")
    assert r8.value("kostnad_per_deltagare", area, "actual") is None
    hidden = r8.display("kostnad_per_deltagare", area, "actual")
    assert ratios["Kostnad per deltagare, alla kostnader (kr)"][1] == (hidden or "–")
    assert ratios["Insatskostnad per deltagare, individinriktade insatser (kr)"][1] == (
        hidden or "–"
    )  # not 270 000 (540 000 / 2)
    contributions = {r[0]: r[2:] for r in d.table("Bidrag per medlem").rows}
    assert contributions["Försäkringskassan"] == ("1\xa0000\xa0000", "1\xa0000\xa0000")
    assert contributions["Kommunen"] == ("500\xa0000", "500\xa0000")
    equity = {r[0]: r[1:] for r in d.table("Eget kapital och rekommendationen").rows}
    assert equity["Rekommenderat högsta eget kapital"][0] == "400\xa0000"
    assert equity["Över rekommendationen"][0] == "10\xa0020"


def test_docx_opens_with_the_headings(enrolled):
    from docx import Document

    assoc = enrolled["association"]
    content = documents.to_docx(annual.build_document(None, assoc, 2019, today=TODAY))
    parsed = Document(io.BytesIO(content))
    headings = [p.text for p in parsed.paragraphs if p.style.name.startswith(("Heading", "Title"))]
    assert headings[0] == "Verksamhetsberättelse och årsredovisning 2019"
    for h in ("Förbundet", "Insatser", "Deltagare och resultat", "Ekonomi"):
        assert h in headings
    cells = {c.text for t in parsed.tables for row in t.rows for c in row.cells}
    assert "Anna Ordförande" in cells and "110\xa0020" in cells


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils saknas")
def test_pdf_reads_in_pdftotext(enrolled, tmp_path):
    assoc = enrolled["association"]
    out = tmp_path / "arsredovisning.pdf"
    call_command(
        "annual-report",
        "--association",
        assoc.code,
        "--year",
        "2019",
        "--format",
        "pdf",
        "--output",
        str(out),
    )
    text = subprocess.run(
        ["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True, check=True
    ).stdout
    for h in ("Verksamhetsberättelse och årsredovisning 2019", "Förbundet", "Insatser", "Ekonomi"):
        assert h in text
    assert "110 020" in text.replace("\xa0", " ")


def test_cost_per_participant_shown_from_five_participants(year_world, enrol):
    """Five participants in 2019: the actual cost per participant is R8's 540 000 / 5 = 108 000
    and the R1–R6 figures by sex are the reports'."""
    for i, sex in enumerate("KKKMM"):
        enrol(start_date=date(2019, 2 + i, 1), anonymous=True, sex=sex, birth_year=1990 + i)
    assoc = year_world["association"]
    d = annual.build_document(None, assoc, 2019, today=TODAY)
    ratios = {r[0]: r[1:] for r in d.table("Nyckeltal").rows}
    # individual interventions' actual cost 540 000 / 5 = 108 000 (the budget page's ratio);
    # all actual costs 1 829 980 / 5 = 365 996 (R8)
    assert ratios["Insatskostnad per deltagare, individinriktade insatser (kr)"] == (
        "20\xa0000",
        "108\xa0000",
    )
    assert ratios["Kostnad per deltagare, alla kostnader (kr)"] == ("–", "365\xa0996")
    o = finance_selectors.budget_overview(assoc, 2019, today=TODAY)
    assert o["ratios"]["actual"].cost_per_participant == 108_000
    active = {r[0]: r[1:] for r in d.table("R6 Deltagare").rows}
    # 5 = a few women + a few men: with the total shown each would lie in 1 … 4, narrower than
    # the protection rule allows, so the total may be hidden too (docs/reports.md)
    assert active["Personer aktiva under perioden"] in (("5", "..", ".."), ("..", "..", ".."))
    ivs = {r[0]: r[1:] for r in d.table("Insatser under året").rows}
    assert ivs["Individinsats"][:3] in (
        ("Individinriktad", "30", "5"),
        ("Individinriktad", "30", ".."),  # the same R6 total of 5, protected as above
    )
