import io
from datetime import date

import openpyxl
import pytest
from django.urls import reverse

from finsam.socioeconomics.models import ParameterSet

from .conftest import PARAMETERS_CSV


def login(client, world, role):
    client.force_login(world["users"][role])
    return client


def upload(name: str, content: str | bytes):
    data = content.encode("utf-8") if isinstance(content, str) else content
    f = io.BytesIO(data)
    f.name = name
    return f


# --- parameter table ----------------------------------------------------------------------------


def test_parameter_page_shows_source_year_and_flags_assumptions(client, world):
    response = login(client, world, "association_admin").get(reverse("socio_parameters"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Tabell 2024, version 1" in html
    assert "Socialstyrelsen" in html  # the source of FSS/municipality
    assert html.count('<span class="tag">Antagande</span>') == 24  # every default is one
    assert "Ladda upp en ny version" not in html  # only the national analyst uploads
    csv_response = client.get(reverse("socio_parameters") + "?format=csv")
    assert csv_response["Content-Type"].startswith("text/csv")
    assert csv_response.content.decode().startswith("item,actor,monthly_sek,source,year")


def test_the_system_administrator_uploads_a_new_version(client, world):
    login(client, world, "system_admin")
    response = client.post(
        reverse("socio_parameter_upload"),
        {"valid_year": "2025", "source_notes": "Egen", "file": upload("p.csv", PARAMETERS_CSV)},
    )
    assert response.status_code == 302
    new = ParameterSet.objects.get(valid_year=2025)
    assert new.version == 1 and new.uploaded_by == world["users"]["system_admin"]
    assert new.rows.count() == 7
    assert new.rows.get(item="SJP").monthly_sek == 20_000
    # A second upload for the same year is version 2; the first one is kept.
    client.post(
        reverse("socio_parameter_upload"),
        {"valid_year": "2025", "file": upload("p.csv", PARAMETERS_CSV)},
    )
    assert list(ParameterSet.objects.filter(valid_year=2025).values_list("version", flat=True)) == [
        2,
        1,
    ]
    from finsam.audit.models import AuditLog

    assert AuditLog.objects.filter(action="parameter_set_upload").count() == 2
    from finsam.socioeconomics.selectors import current_parameter_set

    assert current_parameter_set(2026).version == 2


def test_parameter_upload_is_all_or_nothing(client, world):
    login(client, world, "system_admin")
    bad = PARAMETERS_CSV + "FSS,kyrkan,100,,,0,\nSJP,fk,-3,,,0,\n"
    response = client.post(
        reverse("socio_parameter_upload"),
        {"valid_year": "2025", "source_notes": "Min text", "file": upload("p.csv", bad)},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Okänd aktör &#x27;kyrkan&#x27;" in html or "Okänd aktör 'kyrkan'" in html
    assert "förekommer två gånger" in html  # SJP/fk twice
    assert "error-summary" in html
    assert "Min text" in html  # the form keeps what was typed
    assert not ParameterSet.objects.filter(valid_year=2025).exists()
    from finsam.socioeconomics.models import ParameterRow

    assert ParameterRow.objects.count() == 24  # only the defaults


def test_parameter_upload_rejects_a_bad_year_and_a_non_utf8_file(client, world):
    login(client, world, "system_admin")
    response = client.post(
        reverse("socio_parameter_upload"),
        {"valid_year": "1999", "file": upload("p.csv", PARAMETERS_CSV)},
    )
    assert "Gäller år: ange ett år 2004–2100." in response.content.decode()
    response = client.post(
        reverse("socio_parameter_upload"),
        {"valid_year": "2025", "file": upload("p.csv", "item;actor\n\xe5".encode("latin-1"))},
    )
    assert "UTF-8" in response.content.decode()
    assert ParameterSet.objects.count() == 1


# --- payback ------------------------------------------------------------------------------------


def payback_url(world, **extra):
    query = {
        "association": world["association"].pk,
        "date_from": "2025-01-01",
        "date_to": "2025-12-31",
        "persistence": "100",
        "discount_rate": "0",
        "state_split": "25/25",
        **extra,
    }
    from urllib.parse import urlencode

    return reverse("socio_payback") + "?" + urlencode(query)


@pytest.fixture
def stored_test_table(world):
    from finsam.socioeconomics.services import parameter_set_upload

    return parameter_set_upload(
        actor=world["users"]["national_analyst"], valid_year=2025, source=PARAMETERS_CSV
    )


def test_payback_page_shows_months_never_chart_and_reference(
    client, world, flows_registry, stored_test_table
):
    response = login(client, world, "board_reader").get(payback_url(world))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<svg" in html and 'id="payback-series"' in html
    assert "<strong>aldrig</strong>" in html  # AF never pays back
    assert "15,0\u00a0mån" in html  # FK: 300 000 / 20 000
    assert "10,9\u00a0mån" in html  # municipality: 300 000 / 27 500
    assert "Riksgenomsnitt" in html and "NNS" in html
    assert "Antaganden" in html and "lagens andelar" in html
    # The board may not see persons: 3 participants is a small cell.
    assert "Deltagare med känt utfall: <strong>..</strong>" in html
    assert "19900101" not in html and flows_registry["a"].key not in html


def test_payback_page_unprotected_for_the_administrator(
    client, world, flows_registry, stored_test_table
):
    html = login(client, world, "association_admin").get(payback_url(world)).content.decode()
    assert "Deltagare med känt utfall: <strong>3</strong>" in html


def test_payback_xlsx_and_pdf(client, world, flows_registry, stored_test_table):
    login(client, world, "association_admin")
    response = client.get(payback_url(world, format="xlsx"))
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Återbetalning", "Kurvor", "Parametrar", "Definitioner"]
    rows = {r[0]: r for r in book["Återbetalning"].iter_rows(min_row=2, values_only=True)}
    assert rows["Försäkringskassan"][3] == 15.0
    assert rows["Arbetsförmedlingen"][3] == "aldrig"
    pdf = client.get(payback_url(world, format="pdf"))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content[:5] == b"%PDF-"


def test_payback_page_errors_keep_the_input(client, world, flows_registry):
    login(client, world, "association_admin")
    html = client.get(
        payback_url(world, date_from="2024-01-01", date_to="2024-06-30")
    ).content.decode()
    assert "Ingen insatskostnad finns i budgeten" in html
    assert 'value="2024-06-30"' in html
    html = client.get(payback_url(world, date_to="2024-01-01")).content.decode()
    assert "får inte vara före startdatumet" in html
    html = client.get(payback_url(world, persistence="150")).content.decode()
    assert "Varaktighet per år (%): värdet får vara högst 100." in html
    html = client.get(payback_url(world, intervention=world["other_persons"].pk)).content.decode()
    assert "Insats: välj ett av alternativen i listan." in html


def test_payback_of_another_association_is_denied(client, world, flows_registry):
    login(client, world, "association_admin")
    url = payback_url(world, association=world["other"].pk)
    assert client.get(url).status_code == 403
    assert login(client, world, "national_analyst").get(url).status_code == 200


# --- cost of exclusion ---------------------------------------------------------------------------


def test_exclusion_preset_sundbyberg_explains_every_figure(client, world):
    response = login(client, world, "board_reader").get(
        reverse("socio_exclusion") + "?exempel=sundbyberg"
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Det räcker att 1 av 3,5 deltagare lyckas" in html
    assert "1\u00a0750\u00a0000\u00a0kr" in html
    assert "−150\u00a0000\u00a0kr" in html
    assert "år 2" in html  # break-even year
    assert "Välfärdskakan" in html and "Försäkringskassan 36\u00a0%" in html
    assert html.count("<svg") == 2
    assert 'value="350000"' in html  # the inputs are shown filled in
    # Alone, the municipality saves 0.27 × 1 750 000 < 500 000: it never pays on its own.
    assert "lönar sig inte ens om alla lyckas" in html
    assert "1 av 0," not in html


def test_exclusion_presets_sormland_and_lifetime(client, world):
    login(client, world, "intervention_manager")
    html = client.get(reverse("socio_exclusion") + "?exempel=sormland").content.decode()
    from finsam.socioeconomics.formatting import kr
    from finsam.socioeconomics.views import PRESETS

    annual = float(PRESETS["sormland"]["data"]["annual_cost"])
    assert abs(annual * 14_490 - 4.94e9) < 0.001e9  # 4.94 billion a year (seed 000)
    assert kr(annual * 14_490) in html  # total annual cost, with its explanation
    assert "14\u00a0490 personer i utanförskap kostar tillsammans" in html
    html = client.get(reverse("socio_exclusion") + "?exempel=sundbyberg-livstid").content.decode()
    assert "1 av 30,0" in html


def test_exclusion_bad_input_is_named_and_kept(client, world):
    login(client, world, "participant_handler")
    response = client.get(
        reverse("socio_exclusion"),
        {
            "annual_cost": "350000",
            "intervention_cost": "",
            "horizon_years": "5",
            "share_fk": "50",
            "share_municipality": "40",
        },
    )
    html = response.content.decode()
    assert "Insatskostnad per deltagare (kr) måste anges." in html
    assert 'value="350000"' in html
    response = client.get(
        reverse("socio_exclusion"),
        {"annual_cost": "350000", "intervention_cost": "1", "share_fk": "50", "share_af": "40"},
    )
    assert "summera till 100 %" in response.content.decode()


# --- target group and coverage --------------------------------------------------------------------

COUNTS = "municipality_code,group,count\n0183,FSS,100\n0183,NEET,20\n0180,FSS,5000\n"


def test_needs_upload_estimate_coverage_and_protection(client, world, flows_registry):
    login(client, world, "board_reader")
    response = client.post(
        reverse("socio_needs"), {"action": "upload", "file": upload("n.csv", COUNTS)}
    )
    assert response.status_code == 302
    html = client.get(reverse("socio_needs") + "?ar=2025&niva=alla").content.decode()
    # Own association only: Sundbyberg municipality and SBG; not Stockholm (0180) nor county.
    assert "(0183)" in html and "(SBG)" in html
    assert "(0180)" not in html and "(01)" not in html
    assert "100" in html and "<svg" in html
    # 4 participants: protected for the board ("..") and no coverage shown.
    assert ">..<" in html
    login(client, world, "association_admin")
    client.post(reverse("socio_needs"), {"action": "upload", "file": upload("n.csv", COUNTS)})
    html = client.get(reverse("socio_needs") + "?ar=2025&niva=association").content.decode()
    assert ">4<" in html and "4,0\u00a0%" in html  # 4 / (80 + 20)


def test_needs_analyst_sees_every_level_sorted(client, world, flows_registry):
    login(client, world, "national_analyst")
    client.post(reverse("socio_needs"), {"action": "upload", "file": upload("n.csv", COUNTS)})
    html = client.get(
        reverse("socio_needs") + "?ar=2025&niva=municipality&sort=estimate&ordning=fallande"
    ).content.decode()
    assert html.index("(0180)") < html.index("(0183)")  # 4 000 before 100
    assert 'aria-sort="descending"' in html
    html = client.get(
        reverse("socio_needs") + "?ar=2025&niva=municipality&sort=estimate&ordning=stigande"
    ).content.decode()
    assert html.index("(0183)") < html.index("(0180)")
    html = client.get(reverse("socio_needs") + "?ar=2025&niva=country").content.decode()
    assert "Riket" in html
    csv_text = client.get(reverse("socio_needs") + "?ar=2025&niva=alla&format=csv").content.decode()
    assert csv_text.startswith("level,area_code,area_name,group,count,share,estimate")


def test_needs_shares_edit_and_bad_upload(client, world):
    login(client, world, "association_admin")
    response = client.post(
        reverse("socio_needs"),
        {"action": "upload", "file": upload("n.csv", "municipality_code,group,count\n9999,X,-1\n")},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Okänd kommunkod" in html and "Okänd grupp" in html and "negativt" in html
    assert "finsam_needs" not in client.session
    shares = {f"share_{g}": "50" for g in ("NEET", "FSS", "AF", "AKE", "SJK", "SJE_DELTID")}
    response = client.post(
        reverse("socio_needs"), {"action": "shares", **shares, "share_FSS": "120"}
    )
    assert "andelen i behov måste vara mellan 0 och 100 %" in response.content.decode()
    assert "finsam_needs" not in client.session
    client.post(reverse("socio_needs"), {"action": "shares", **shares})
    assert client.session["finsam_needs"]["shares"]["FSS"] == 0.5


def test_socio_pages_render_without_javascript(client, world):
    login(client, world, "board_reader")
    for name in ("socio_index", "socio_exclusion", "socio_payback", "socio_needs"):
        html = client.get(reverse(name)).content.decode()
        assert "<script" not in html, name
    _ = date


def test_parameter_upload_accepts_xlsx(client, world):
    book = openpyxl.Workbook()
    sheet = book.active
    for line in PARAMETERS_CSV.strip().splitlines():
        sheet.append(line.split(","))
    buffer = io.BytesIO()
    book.save(buffer)
    login(client, world, "system_admin")
    response = client.post(
        reverse("socio_parameter_upload"),
        {"valid_year": "2026", "file": upload("p.xlsx", buffer.getvalue())},
    )
    assert response.status_code == 302
    assert ParameterSet.objects.get(valid_year=2026).rows.count() == 7
