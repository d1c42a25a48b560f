"""The allocation and merger pages for the national analyst, through the test client."""

from __future__ import annotations

import csv
import io
import json

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from finsam.domain.finance.allocation import LAYOUT_COLUMNS

from .conftest import ALLOCATION_CSV


def params(prefix="a", **overrides):
    data = {
        "frame": "20000000",
        "base_grant": "400000",
        "weight_support": "75",
        "weight_population": "25",
        "floor_on": "on",
        "floor_share": "90",
        "equity_policy": "half",
        "redistribution": "on",
    }
    data.update(overrides)
    return {f"{prefix}-{k}": v for k, v in data.items() if v is not None}


@pytest.fixture
def analyst(client, world):
    client.force_login(world["users"]["national_analyst"])
    response = client.post(
        reverse("allocation"),
        {"file": SimpleUploadedFile("allocation_input.csv", ALLOCATION_CSV, "text/csv")},
    )
    assert response.status_code == 302
    return client


def test_only_the_national_analyst_may_use_the_models(client, world):
    for role, user in world["users"].items():
        client.force_login(user)
        expected = 200 if role == "national_analyst" else 403
        assert client.get(reverse("allocation")).status_code == expected
        assert client.get(reverse("merger")).status_code == expected
        nav = client.get(reverse("home")).content.decode()
        assert (reverse("allocation") in nav) == (role == "national_analyst")


def test_upload_is_kept_in_the_session_and_runs_with_defaults(analyst):
    html = analyst.get(reverse("allocation")).content.decode()
    assert "allocation_input.csv" in html and "4 förbund" in html
    assert "Resultat, scenario A" in html and "Höglandet (HOG)" in html
    # the default frame is the 2016 frame: 339 000 000 is fully allocated
    assert "339\u00a0000\u00a0000" in html


def test_every_step_per_association_with_parameters(analyst):
    html = analyst.get(reverse("allocation"), params(**{"floor_on": None})).content.decode()
    for header in ("1–2. Modell", "3. Efter eget kapital", "4. Efter golv", "6–7. Tilldelning"):
        assert header in html
    assert "20\u00a0000\u00a0000" in html  # Σ allocation = frame
    assert "Ja (överskott 661\u00a0200 kr)" in html  # Finnveden over the recommendation


def test_bad_parameters_keep_the_input_and_name_the_field(analyst):
    response = analyst.get(
        reverse("allocation"), params(weight_support="70", weight_population="20")
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "summera till 100 %" in html and 'value="70"' in html
    assert "Resultat, scenario A" not in html
    html = analyst.get(reverse("allocation"), params(frame="1000")).content.decode()
    assert "räcker inte till grundbidraget" in html


def test_bad_upload_is_rejected_with_an_error_report(analyst):
    response = analyst.post(
        reverse("allocation"),
        {
            "file": SimpleUploadedFile(
                "fel.csv", b"association_code,name,support_measure_sek,population_16_64\nA,A,x,1\n"
            )
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "har inte lästs in" in html and "file.not_a_number" in html
    # the earlier input is still there
    assert "allocation_input.csv" in analyst.get(reverse("allocation")).content.decode()


def test_compare_two_scenarios_with_chart_and_table(analyst):
    query = {**params(), **params("b", frame="25000000"), "jamfor": "1"}
    html = analyst.get(reverse("allocation"), query).content.decode()
    assert "Jämförelse: scenario B − A" in html
    assert "<svg" in html  # server-side chart
    assert "Total skillnad: 5\u00a0000\u00a0000 kr" in html
    assert "Resultat, scenario B" in html


def test_downloads(analyst):
    url = reverse("allocation")
    response = analyst.get(url, {**params(), "ladda_ned": "csv"})
    assert response["Content-Disposition"].startswith("attachment")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == list(LAYOUT_COLUMNS) and len(rows) == 5
    data = json.loads(analyst.get(url, {**params(), "ladda_ned": "json"}).content)
    assert data["total_allocation"] == 20_000_000
    xlsx = analyst.get(
        url,
        {
            **params(),
            **params("b", frame="25000000"),
            "jamfor": "1",
            "ladda_ned": "xlsx",
            "scenario": "b",
        },
    )
    book = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    assert book["Parametrar"]["B1"].value == 25_000_000


def test_merger_page(analyst, world):
    url = reverse("merger")
    html = analyst.get(url).content.decode()
    assert "Förbund som slås samman" in html
    query = {
        "codes": ["SBG", "OTH"],
        "merged_code": "NYTT",
        "merged_name": "Nya förbundet",
        "split_method": "equal",
        **params(**{"floor_on": None}),
    }
    response = analyst.get(url, query)
    html = response.content.decode()
    assert "Förlorat grundbidrag: 400\u00a0000 kr" in html
    assert "Effekt per förbund" in html and "Nya förbundet (NYTT)" in html
    # per member from the registry (both fixture associations have region 01)
    assert "Effekt per medlem" in html and "Kommunen (0183)" in html
    assert "Regionernas motfinansiering" in html


def test_merger_needs_two_associations(analyst):
    html = analyst.get(
        reverse("merger"), {"codes": ["SBG"], "split_method": "equal", **params()}
    ).content.decode()
    assert "Välj minst två förbund" in html and "error-summary" in html


def test_merger_without_input_points_to_the_upload(client, world):
    client.force_login(world["users"]["national_analyst"])
    html = client.get(reverse("merger")).content.decode()
    assert "Ingen indatafil är inläst" in html
