"""The results page: own association beside the nation, protection, downloads, permissions."""

import io
from datetime import date

import openpyxl
import pytest
from django.urls import reverse

from finsam.indicators import services
from tests.conftest import login

from .conftest import answer


@pytest.fixture
def answered(world, exit_version, collection_round):
    """Own association 2025: six answers to A1 (6,6,5,4,3,kb); 2024: three answers (hidden).
    The other association 2025: ten answers of 2 to A1."""
    for value in (6, 6, 5, 4, 3, "kb"):
        answer(collection_round, {"A1": value, "A3": 4})
    earlier = services.round_open(
        actor=None,
        association=world["association"],
        questionnaire=exit_version,
        period_start=date(2024, 1, 1),
        period_end=date(2024, 12, 31),
    )
    for value in (1, 2, 3):
        answer(earlier, {"A1": value})
    other = services.round_open(
        actor=None,
        association=world["other"],
        questionnaire=exit_version,
        period_start=date(2025, 3, 1),
        period_end=date(2025, 9, 30),
    )
    for _ in range(10):
        answer(other, {"A1": 2})
    return exit_version


def _url(version, association, fmt=None):
    query = f"?version={version.pk}&association={association}"
    return reverse("indicators_results") + query + (f"&format={fmt}" if fmt else "")


def test_board_reader_sees_own_association_and_the_nation(client, world, answered):
    login(client, world["users"]["board_reader"])
    page = client.get(_url(answered, world["association"].pk))
    assert page.status_code == 200
    table = page.context["table"]
    unit = next(u for u in table.units if u.kind == "indicator" and u.key == 1)
    assert table.shown("own", unit, 2025, "n") == 6
    assert table.shown("own", unit, 2025, "mean") == pytest.approx(24 / 5)
    assert table.shown("own", unit, 2025, "top") == pytest.approx(3 / 5)
    assert table.shown("own", unit, 2025, "cj") == pytest.approx(1 / 6)
    assert table.shown("national", unit, 2025, "n") == 16
    assert table.shown("national", unit, 2025, "mean") == pytest.approx((24 + 20) / 15)
    body = page.content.decode()
    assert "<svg" in body
    assert "4,80" in body  # Swedish decimal comma
    assert "Startuppsättning" in body
    # 2024 has three answers: shown only as the protection symbol
    row_2024 = next(
        r for r in page.context["rows_indicator"] if r["unit"].key == 1 and r["period"] == 2024
    )
    assert row_2024["own"] == {
        "n": "..",
        "mean": "..",
        "sd": "..",
        "top": "..",
        "cj": "..",
        "change": "",
    }
    row_2025 = next(
        r for r in page.context["rows_indicator"] if r["unit"].key == 1 and r["period"] == 2025
    )
    assert row_2025["own"]["change"] == ".."  # would give the hidden 2024 mean back


def test_small_associations_stay_out_of_the_national_figure(
    client, world, answered, collection_round
):
    login(client, world["users"]["national_analyst"])
    page = client.get(_url(answered, "riket"))
    assert page.status_code == 200
    table = page.context["table"]
    unit = next(u for u in table.units if u.kind == "indicator" and u.key == 1)
    assert table.shown("national", unit, 2024, "n") == 0  # the only 2024 answers are hidden
    assert table.shown("national", unit, 2025, "n") == 16
    assert page.context["has_own"] is False


def test_downloads_are_protected_like_the_page(client, world, answered):
    login(client, world["users"]["association_admin"])
    csv = client.get(_url(answered, world["association"].pk, "csv"))
    assert csv["Content-Type"].startswith("text/csv")
    lines = csv.content.decode().splitlines()
    assert lines[0].startswith("nivå,kod,indikator,text,period,n,medelvärde")
    row_2024 = next(
        line for line in lines if line.startswith("indikator,1,1,") and ",2024," in line
    )
    assert row_2024.split(",")[5:10] == [".."] * 5
    xlsx = client.get(_url(answered, world["association"].pk, "xlsx"))
    book = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    assert book.sheetnames == ["Resultat", "Definitioner"]
    notes = " ".join(str(c.value) for c in book["Definitioner"]["A"])
    assert "Skydd av små tal" in notes and "Startuppsättning" in notes
    pdf = client.get(_url(answered, world["association"].pk, "pdf"))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_results_permissions(client, world, answered):
    login(client, world["users"]["board_reader"])
    assert client.get(_url(answered, world["other"].pk)).status_code == 403
    assert client.get(_url(answered, "riket")).status_code == 403
    login(client, world["users"]["system_admin"])
    assert client.get(reverse("indicators_results")).status_code == 403
    login(client, world["users"]["national_analyst"])
    assert client.get(_url(answered, world["other"].pk)).status_code == 200


def test_no_answers_yet(client, world, starter):
    login(client, world["users"]["board_reader"])
    page = client.get(reverse("indicators_results"))
    assert page.status_code == 200 and "Det finns inga svar ännu." in page.content.decode()


def test_overview_across_respondent_groups(client, world, answered, starter):
    from finsam.indicators.models import QuestionnaireVersion

    staff = QuestionnaireVersion.objects.get(respondent_group="staff", version=1)
    staff_round = services.round_open(
        actor=None,
        association=world["association"],
        questionnaire=staff,
        period_start=date(2025, 1, 1),
        period_end=date(2025, 12, 31),
    )
    for value in (3, 4, 4, 5, 5):
        answer(staff_round, {"P1": value})
    login(client, world["users"]["board_reader"])
    page = client.get(reverse("indicators_results"))
    assert [v.respondent_group for v in page.context["overview_columns"]] == [
        "participant_exit",
        "staff",
    ]
    row = next(r for r in page.context["overview_rows"] if r["number"] == 1)
    exit_cell, staff_cell = row["cells"]
    assert (exit_cell["mean"], exit_cell["n"], exit_cell["period"]) == ("4,80", 6, 2025)
    assert (staff_cell["mean"], staff_cell["n"]) == ("4,20", 5)
    plan = next(r for r in page.context["overview_rows"] if r["number"] == 3)
    assert plan["cells"][1] is None  # staff answered nothing on indicator 3
    assert "Översikt – Samordningsförbundet Sundbyberg" in page.content.decode()
