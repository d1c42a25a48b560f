"""``finsam demo`` files deviation reports in every state through the services."""

from io import StringIO

import pytest
from django.core.management import call_command

from finsam.audit.models import AuditLog
from finsam.deviations.models import DeviationReport


@pytest.mark.django_db
def test_demo_has_deviation_reports_in_every_state():
    out = StringIO()
    call_command("demo", "--episodes", "20", stdout=out)
    assert "avvikelser" in out.getvalue()
    reports = DeviationReport.objects.all()
    assert reports.count() >= 20
    assert {r.status for r in reports} == {"new", "classified", "in_progress", "closed"}
    assert reports.values("association").distinct().count() > 1
    assert AuditLog.objects.filter(action="deviation_file").count() == reports.count()
    for report in reports.filter(status="closed"):
        assert report.closed_date >= report.report_date
