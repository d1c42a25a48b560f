"""An import of episodes makes the reports' extract stale, whatever path the import writes by."""

from __future__ import annotations

from datetime import date

from finsam.domain.reports.core import Period
from finsam.interchange.importers import import_file
from finsam.reports import extract, selectors
from tests.interchange.conftest import EPISODE_HEADER, episode_rows, write_csv


def test_an_import_makes_the_extract_stale_and_the_next_report_sees_it(world, tmp_path, settings):
    settings.FINSAM_REPORT_EXTRACT = "always"
    extract.forget()
    everything = selectors.Selection(Period(date(2004, 1, 1), date(2030, 12, 31)))
    before = len(selectors.episodes_frame(everything))
    assert extract.current() is not None
    result = import_file("episodes", write_csv(tmp_path / "e.csv", EPISODE_HEADER, episode_rows()))
    assert result.ok
    assert extract.current() is None  # the import's writes changed the fingerprint
    after = selectors.episodes_frame(everything)
    assert len(after) == before + result.created
    extract.forget()
