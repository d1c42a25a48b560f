from pathlib import Path

import pytest

from tests.conftest import FIXTURES

REPO = Path(__file__).resolve().parents[3]
MPDTA = FIXTURES / "external" / "mpdta.csv"
MPDTA_ARGS = [
    "--unit",
    "countyreal",
    "--time",
    "year",
    "--group",
    "first.treat",
    "--outcome",
    "lemp",
]

# spec/evaluation.md: R did::att_gt(..., est_method = "reg") on mpdta.
REFERENCE_ATT = {
    (2004, 2004): (-0.0105, 0.0246),
    (2004, 2005): (-0.0704, 0.0332),
    (2004, 2006): (-0.1373, 0.0397),
    (2004, 2007): (-0.1008, 0.0357),
    (2006, 2004): (0.0065, 0.0229),
    (2006, 2005): (-0.0028, 0.0197),
    (2006, 2006): (-0.0046, 0.0179),
    (2006, 2007): (-0.0412, 0.0192),
    (2007, 2004): (0.0305, 0.0154),
    (2007, 2005): (-0.0027, 0.0164),
    (2007, 2006): (-0.0311, 0.0184),
    (2007, 2007): (-0.0261, 0.0170),
}
REFERENCE_PRETEST_P = 0.16812


@pytest.fixture(scope="session")
def mpdta_path() -> Path:
    return MPDTA


@pytest.fixture(scope="session")
def isf_counts():
    """A small ISF counts file (40 municipalities, 2000–2016) with join_year in it."""
    from finsam.evaluation.simulate import simulate_isf_counts

    return simulate_isf_counts(n_municipalities=40, seed=5)


@pytest.fixture
def isf_files(tmp_path, isf_counts):
    """The counts without join_year, and the join years as a separate file."""
    counts = tmp_path / "antal.csv"
    joins = tmp_path / "intradesar.csv"
    isf_counts.drop(columns="join_year").to_csv(counts, index=False)
    isf_counts[["municipality", "join_year"]].drop_duplicates().to_csv(joins, index=False)
    return counts, joins


@pytest.fixture
def upload_dir(tmp_path, monkeypatch):
    """Uploaded files go to a per-test directory."""
    from finsam.evaluation.web import uploads

    directory = tmp_path / "uploads"
    directory.mkdir()
    monkeypatch.setattr(uploads, "upload_dir", lambda: directory)
    return directory
