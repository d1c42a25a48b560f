from pathlib import Path

import pandas as pd
import pytest

FIXTURES = Path(__file__).resolve().parents[2] / ".." / "shared" / "fixtures"


@pytest.fixture(scope="session")
def mpdta() -> pd.DataFrame:
    return pd.read_csv(FIXTURES / "external" / "mpdta.csv")
