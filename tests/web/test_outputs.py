import io

import altair as alt
import openpyxl
import pandas as pd

from finsam.web import outputs


def test_xlsx_workbook_has_one_sheet_per_table_and_definitions():
    content = outputs.xlsx_workbook(
        {"Utfall": (["rad", "totalt"], [["antal", 12], ["andel", 0.5]])},
        notes=["Skydd av små tal: .. = uppgiften visas inte."],
    )
    book = openpyxl.load_workbook(io.BytesIO(content))
    assert book.sheetnames == ["Utfall", "Definitioner"]
    assert book["Utfall"]["B2"].value == 12
    assert ".." in book["Definitioner"]["A1"].value


def test_chart_renders_to_svg_and_png():
    chart = (
        alt.Chart(pd.DataFrame({"år": [2020, 2021], "antal": [3, 5]}))
        .mark_line()
        .encode(x="år:O", y="antal:Q")
    )
    assert outputs.chart_svg(chart).lstrip().startswith("<svg")
    assert outputs.chart_png(chart)[:4] == b"\x89PNG"


def test_pdf_is_rendered_from_a_template():
    pdf = outputs.render_pdf("includes/pdf_base.html", {})
    assert pdf[:5] == b"%PDF-"


def test_the_stylesheet_is_found_by_the_static_finders():
    from django.contrib.staticfiles import finders

    assert finders.find("finsam/finsam.css")


def test_english_is_available_and_swedish_is_the_default(client, world):
    client.force_login(world["users"]["participant_handler"])
    swedish = client.get("/").content.decode()
    assert "Logga ut" in swedish and "Deltagaransvarig" in swedish
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = client.get("/").content.decode()
    assert "Log out" in english and "Participant handler" in english and 'lang="en"' in english


def test_an_english_browser_still_gets_swedish_until_the_user_switches(client, db):
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "Logga in" in html and 'lang="sv"' in html
