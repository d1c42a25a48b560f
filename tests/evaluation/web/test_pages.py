"""The evaluation pages through the test client: upload, choose columns, run, download."""

import io
import json
from types import SimpleNamespace

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from finsam.evaluation import EVALUATION_COLUMNS
from finsam.evaluation.web import uploads
from finsam.evaluation.web.views import DID_KEY, ISF_KEY

RUN = {
    "unit": "countyreal",
    "time": "year",
    "group": "first.treat",
    "outcome": "lemp",
    "control": "never",
    "method": "reg",
    "base_period": "varying",
    "anticipation": "0",
    "bootstrap": "999",
    "seed": "11",
}


@pytest.fixture
def analyst(client, world, upload_dir):
    client.force_login(world["users"]["national_analyst"])
    return client


def download(client, response, label):
    """A file the evaluation job made, by its label on the job page."""
    job = response.context["job"]
    n = next(i for i, f in enumerate(job.result["files"]) if f["label"] == label)
    file = client.get(reverse("job_file", args=[job.pk, n]))
    return Download(b"".join(file.streaming_content), file.headers)


class Download(SimpleNamespace):
    def __init__(self, content: bytes, headers):
        super().__init__(content=content, headers=headers)

    def __getitem__(self, name: str) -> str:
        return self.headers[name]


def upload_mpdta(client, path):
    with path.open("rb") as f:
        return client.post(reverse("evaluation_did"), {"data": f})


def test_did_page_upload_choose_run_and_see_the_reference(analyst, mpdta_path, upload_dir):
    page = analyst.get(reverse("evaluation_did")).content.decode()
    assert "Steg 1 av 2" in page and 'type="file"' in page and 'for="id_data"' in page

    response = upload_mpdta(analyst, mpdta_path)
    assert response.status_code == 302
    assert len(list(upload_dir.iterdir())) == 1  # kept in a temporary file …
    assert analyst.session[DID_KEY]["name"] == "mpdta.csv"  # … keyed in the session

    page = analyst.get(reverse("evaluation_did")).content.decode()
    assert "Steg 2 av 2" in page and "2500 rader" in page
    for column in ("lemp", "lpop", "treat"):
        assert f'<option value="{column}">{column}</option>' in page  # the file's columns
    for column in ("countyreal", "year", "first.treat"):  # common names are preselected
        assert f'<option value="{column}" selected>{column}</option>' in page

    # With bootstrap draws the run is a background job; its page shows the result.
    response = analyst.get(reverse("evaluation_did"), RUN, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[0][0].startswith("/jobb/")
    assert response.context["job"].status == "done"
    page = response.content.decode()
    assert "<svg" in page  # the event-study chart, rendered on the server
    assert "-0,0105" in page  # ATT(2004, 2004) of the reference (Swedish decimal comma)
    assert "p-värde 0,16812" in page  # the pre-test of parallel trends
    assert "-0,0772" in page  # dynamic aggregation, overall
    assert "-0,0797" in page  # group 2004
    assert '<th scope="col" class="num">Tid från behandling</th>' in page
    assert "Inga: alla celler kunde skattas." in page
    # Without bootstrap the run is quick and shown at once; what the user chose stays selected.
    page = analyst.get(reverse("evaluation_did"), {**RUN, "bootstrap": "0"}).content.decode()
    assert "-0,0105" in page and "p-värde" in page
    assert '<option value="lemp" selected>lemp</option>' in page


def test_did_downloads(analyst, mpdta_path):
    upload_mpdta(analyst, mpdta_path)
    url = reverse("evaluation_did")
    job_page = analyst.get(url, RUN, follow=True)
    page = job_page.content.decode()
    assert "Ladda ner" in page and ">CSV</a>" in page and ">PDF</a>" in page

    response = download(analyst, job_page, "CSV")
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    lines = response.content.decode().splitlines()
    assert lines[0] == ",".join(EVALUATION_COLUMNS)
    assert lines[1].startswith("lemp,all,attgt,2004,2004,,-0.0105")

    data = json.loads(download(analyst, job_page, "JSON").content)
    assert round(data["pretest"]["pvalue"], 5) == 0.16812
    assert data["options"]["seed"] == 11

    book = load_workbook(io.BytesIO(download(analyst, job_page, "Excel (xlsx)").content))
    assert book.sheetnames[:3] == ["Sammanfattning", "ATT(g,t)", "Händelsetid"]
    assert round(book["ATT(g,t)"]["D2"].value, 4) == -0.0105

    pdf = download(analyst, job_page, "PDF")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_without_a_seed_the_drawn_seed_is_shown_and_used_for_downloads(analyst, mpdta_path):
    upload_mpdta(analyst, mpdta_path)
    response = analyst.get(
        reverse("evaluation_did"), {**RUN, "seed": "", "bootstrap": "49"}, follow=True
    )
    seed = response.context["job"].result["seed"]
    assert isinstance(seed, int)
    assert f"<td>{seed}</td>" in response.content.decode()
    assert json.loads(download(analyst, response, "JSON").content)["options"]["seed"] == seed


def test_did_bad_choices_keep_what_was_typed(analyst, mpdta_path):
    upload_mpdta(analyst, mpdta_path)
    url = reverse("evaluation_did")
    page = analyst.get(url, {**RUN, "time": "countyreal", "bootstrap": "-1"}).content.decode()
    assert "error-summary" in page
    assert "redan vald som enhet" in page  # the same column twice
    assert "Bootstrap-dragningar: ange minst 0." in page
    assert "Resultat" not in page
    assert '<option value="lemp" selected>lemp</option>' in page


def test_did_problem_from_the_estimator_lands_on_the_field(analyst, mpdta_path):
    upload_mpdta(analyst, mpdta_path)
    # "treat" is 0/1 per county: as the period column every county has many rows per "period".
    quick = {**RUN, "time": "treat", "bootstrap": "0"}
    page = analyst.get(reverse("evaluation_did"), quick).content.decode()
    assert "error-summary" in page
    assert "varje enhet får bara ha en rad per period" in page
    assert 'href="#id_unit"' in page
    assert "Resultat" not in page
    # With bootstrap the run is a job: it fails with the same Swedish message.
    response = analyst.get(reverse("evaluation_did"), {**RUN, "time": "treat"}, follow=True)
    assert response.context["job"].status == "failed"
    page = response.content.decode()
    assert "Jobbet misslyckades" in page and "varje enhet får bara ha en rad per period" in page


def test_bad_upload_is_refused_and_nothing_is_stored(analyst, upload_dir):
    url = reverse("evaluation_did")
    bad = io.BytesIO(b"%PDF-1.4 not a table")
    bad.name = "panel.pdf"
    page = analyst.post(url, {"data": bad}).content.decode()
    assert "error-summary" in page and "CSV-fil" in page
    empty = io.BytesIO(b"only_a_header\n")
    empty.name = "panel.csv"
    page = analyst.post(url, {"data": empty}).content.decode()
    assert "ingen tabell" in page
    assert list(upload_dir.iterdir()) == [] and DID_KEY not in analyst.session


def test_change_file_forgets_the_upload(analyst, mpdta_path, upload_dir):
    upload_mpdta(analyst, mpdta_path)
    assert len(list(upload_dir.iterdir())) == 1
    response = analyst.post(reverse("evaluation_did"), {"forget": "1"})
    assert response.status_code == 302
    assert list(upload_dir.iterdir()) == [] and DID_KEY not in analyst.session
    assert "Steg 1 av 2" in analyst.get(reverse("evaluation_did")).content.decode()


def test_a_vanished_upload_asks_for_the_file_again(analyst, mpdta_path, upload_dir):
    upload_mpdta(analyst, mpdta_path)
    for path in upload_dir.iterdir():
        path.unlink()
    page = analyst.get(reverse("evaluation_did"), RUN).content.decode()
    assert "Steg 1 av 2" in page and "Ingen fil är uppladdad" in page


def test_isf_page_upload_run_and_download(analyst, isf_files, upload_dir):
    counts, joins = isf_files
    url = reverse("evaluation_isf")
    assert "Steg 1 av 2" in analyst.get(url).content.decode()
    with counts.open("rb") as c, joins.open("rb") as j:
        assert analyst.post(url, {"data": c, "join_years": j}).status_code == 302
    assert len(list(upload_dir.iterdir())) == 2 and ISF_KEY in analyst.session
    options = {
        "control": "notyet",
        "method": "dr",
        "base_period": "varying",
        "anticipation": "0",
        "bootstrap": "49",
        "seed": "3",
    }
    response = analyst.get(url, options, follow=True)
    page = response.content.decode()
    assert response.status_code == 200 and response.context["job"].status == "done"
    assert "40 kommuner, 2000–2016" in page
    assert '<td class="num">40</td><td>' in page  # municipalities per combination, as integers
    for label in ("Sjukpenning", "Sjuk- och aktivitetsersättning", "Ekonomiskt bistånd"):
        assert f">{label}</h3>" in page
    assert page.count("<svg") == 6  # one chart per outcome, each with a table beside it
    assert "Skattas inte: studier redovisas inte för 55–64 år." in page

    data = json.loads(download(analyst, response, "JSON").content)
    assert len(data["summary"]) == 30 and data["options"]["seed"] == 3
    book = load_workbook(io.BytesIO(download(analyst, response, "Excel (xlsx)").content))
    assert book.sheetnames[0] == "Sammanfattning"


def test_isf_pdf(analyst, isf_counts, tmp_path):
    single = tmp_path / "antal.xlsx"  # join_year in the file itself, and xlsx this time
    isf_counts.to_excel(single, index=False)
    url = reverse("evaluation_isf")
    with single.open("rb") as f:
        assert analyst.post(url, {"data": f}).status_code == 302
    options = {"control": "notyet", "method": "reg", "base_period": "varying"}
    options.update(anticipation="0", bootstrap="19", seed="1")
    response = download(analyst, analyst.get(url, options, follow=True), "PDF")
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")


def test_isf_upload_needs_join_years(analyst, isf_files, upload_dir):
    counts, _ = isf_files
    with counts.open("rb") as c:
        page = analyst.post(reverse("evaluation_isf"), {"data": c}).content.decode()
    assert "error-summary" in page and "saknar kolumnen join_year" in page
    assert list(upload_dir.iterdir()) == [] and ISF_KEY not in analyst.session


ROLES = [
    "system_admin",
    "association_admin",
    "intervention_manager",
    "participant_handler",
    "board_reader",
]


@pytest.mark.parametrize("role", ROLES)
def test_other_roles_may_not_evaluate(client, world, role, mpdta_path, upload_dir):
    client.force_login(world["users"][role])
    for name in ("evaluation_index", "evaluation_did", "evaluation_isf"):
        assert client.get(reverse(name)).status_code == 403
    assert upload_mpdta(client, mpdta_path).status_code == 403
    assert list(upload_dir.iterdir()) == []
    assert "Utvärdering" not in client.get(reverse("home")).content.decode()


def test_the_analyst_sees_evaluation_in_the_menu(analyst):
    page = analyst.get(reverse("home")).content.decode()
    assert f'href="{reverse("evaluation_index")}">Utvärdering</a>' in page
    index = analyst.get(reverse("evaluation_index")).content.decode()
    assert reverse("evaluation_did") in index and reverse("evaluation_isf") in index


def test_uploads_are_private_and_old_ones_are_removed(upload_dir):
    import os
    import time

    session = {}
    stored = uploads.store(session, "k", "../../etc/panel.csv", b"a,b\n1,2\n")
    assert stored.path.parent == upload_dir and stored.name == "panel.csv"
    assert oct(stored.path.stat().st_mode & 0o777) == "0o600"
    old = time.time() - uploads.MAX_AGE - 10
    os.utime(stored.path, (old, old))
    uploads.store({}, "k", "ny.csv", b"a,b\n1,2\n")
    assert not stored.path.exists()
    assert uploads.load(session, "k") is None and "k" not in session
    assert uploads.load({"k": {"token": "../x", "suffix": ".csv"}}, "k") is None
